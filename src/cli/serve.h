/* gifc serve: the local web page and its JSON API (serve.c; README "gifc serve").
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CLI_SERVE_H
#define GIFC_CLI_SERVE_H
/* argv[0] is "serve". Runs until SIGINT / SIGTERM; returns the exit status. */
int serve_main(int argc, char **argv);
#endif
