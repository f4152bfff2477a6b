// SPDX-License-Identifier: GPL-2.0
#include "user/cli/commands.h"

int main(int argc, char **argv)
{
	return xg_cli_main(argc, argv);
}
