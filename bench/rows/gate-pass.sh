# gate-pass — the gate with default verdict pass: every frame goes on into the kernel stack
# of the DUT namespace (UDP to a closed port, no listener), like XDP_PASS.
ROW_NAME=gate-pass
ROW_DESC="xdpgate attach --default pass (into the stack)"
ROW_ORDER=31

row_start() { te_dut "$XG" attach "$TE_DUT_IF" --default pass >/dev/null; }
row_teardown() { te_dut "$XG" detach "$TE_DUT_IF" >/dev/null; }
