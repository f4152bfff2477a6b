# gate-drop — the xdpgate gate, attached persistently with default verdict drop: the gate's
# parse + classify + per-CPU counting cost against bare-drop at every swept frame size.
ROW_NAME=gate-drop
ROW_DESC="xdpgate attach --default drop"
ROW_ORDER=30
ROW_SIZES="64 128 256 512 1024 1500"
ROW_QUICK_SIZES="64 512 1500"
ROW_EXPECT="vs:bare-drop-read>=0.95 vs:peer-xdpfilter-deny>=1.0"

row_start() { te_dut "$XG" attach "$TE_DUT_IF" --default drop >/dev/null; }
row_teardown() { te_dut "$XG" detach "$TE_DUT_IF" >/dev/null; }
