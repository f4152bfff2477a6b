#!/bin/bash
# bench/plot.sh WORKDIR OUTBASE — draw OUTBASE-rows.png (Mpps per row, bars with min-max
# whiskers), OUTBASE-sweep.png (Mpps over frame size, one line per swept row) and
# OUTBASE-iomodels.png (the I/O models: Mpps and CPU time per million frames) with gnuplot
# from the data files bench/benchstat.py wrote into WORKDIR (bars.dat, sweep.dat,
# iomodels.dat).
set -euo pipefail
work=$1 out=$2

if [[ -s $work/bars.dat ]] && grep -qv '^#' "$work/bars.dat"; then
	gnuplot <<-GP
		set terminal pngcairo size 1000,560 font ",10"
		set output "$out-rows.png"
		set title "xdpgate bench: Mpps at the DUT, 64-byte frames (median; whiskers min-max)"
		set ylabel "Mpps"
		set yrange [0:*]
		set style fill solid 0.6 border -1
		set xtics rotate by -35 left noenhanced
		set grid ytics
		set offsets 0.5, 0.5, 0, 0
		unset key
		plot "$work/bars.dat" using 0:2:3:4:(0.6):xtic(1) with boxerrorbars lc rgb "#3b75af", \
		     "" using 0:4:(sprintf("%.2f", \$2)) with labels offset 0,0.8 notitle
	GP
fi

if [[ -s $work/sweep.dat ]]; then
	gnuplot <<-GP
		set terminal pngcairo size 900,520 font ",10"
		set output "$out-sweep.png"
		set title "xdpgate bench: frame-size sweep (median; bars min-max)"
		set xlabel "frame size, bytes with FCS"
		set ylabel "Mpps"
		set yrange [0:*]
		set logscale x 2
		set xtics (64, 128, 256, 512, 1024, 1500)
		set grid
		set key top right noenhanced
		plot for [i=0:*] "$work/sweep.dat" index i using 1:2:3:4 with yerrorlines \
		     title columnheader(1)
	GP
fi

# OUTBASE-iomodels.png: every way of receiving and sending (benchstat.py IO_MODELS) found in
# the run, Mpps above and the receiver CPU's (rx) / generator CPU's (tx) time per million
# frames below.
if [[ -s $work/iomodels.dat ]] && grep -qv '^#' "$work/iomodels.dat"; then
	gnuplot <<-GP
		set terminal pngcairo size 1200,900 font ",10"
		set output "$out-iomodels.png"
		set multiplot layout 2,1 title "xdpgate bench: I/O models, 64-byte frames (median)"
		set style fill solid 0.6 border -1
		set grid ytics
		set offsets 0.5, 0.5, 0, 0
		set yrange [0:*]
		set lmargin 12
		set rmargin 14
		unset key
		set xtics rotate by -35 left noenhanced font ",9"
		set ylabel "Mpps at the DUT"
		set bmargin 1
		set format x ""
		plot "$work/iomodels.dat" using 0:2:(0.6):xtic("") with boxes lc rgb "#3b75af", \
		     "" using 0:2:(sprintf("%.2f", \$2)) with labels offset 0,0.7 notitle
		set format x "%g"
		set bmargin 14
		set tmargin 1
		set ylabel "CPU ms per Mframe"
		set key top left
		plot "$work/iomodels.dat" using (\$0 - 0.15):3:(0.3):xtic(1) with boxes lc rgb "#d9822b" \
		     title "receiver cpu", \
		     "" using (\$0 + 0.15):4:(0.3) with boxes lc rgb "#5a9e5a" title "generator cpu"
		unset multiplot
	GP
fi
