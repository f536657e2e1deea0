/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Interactive commands (DPDK's cmdline library). The main loop feeds
 * stdin to the command line (cmdline_in), so signals and end of input are
 * seen between commands. Commands print with stdio and flush before they
 * return: the prompt is written straight to the file descriptor.
 */

#include <stdio.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <cmdline_socket.h>
#include <rte_common.h>

#include "lvdpa_app.h"

/* help */
struct lvdpa_app_cmd_word {
	cmdline_fixed_string_t word;
};

static void
lvdpa_app_cmd_help(void *res, struct cmdline *cl, void *data)
{
	RTE_SET_USED(res);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	printf("Commands:\n"
	       "  help                    this text\n"
	       "  list                    vDPA devices: queue pairs, features, socket\n"
	       "  create <path> <device>  serve a vhost-user socket with a device\n"
	       "  remove <path>           stop serving a socket and remove its file\n"
	       "  stats <device> [queue]  per-queue statistics (all queues of the guest\n"
	       "                          without a queue number)\n"
	       "  state <path>|all        what each guest negotiated: legacy or modern,\n"
	       "                          features, header length, endianness, datapath\n"
	       "  quit                    remove every socket and exit\n");
	fflush(stdout);
}

static cmdline_parse_token_string_t lvdpa_app_tok_help =
	TOKEN_STRING_INITIALIZER(struct lvdpa_app_cmd_word, word, "help");
static cmdline_parse_inst_t lvdpa_app_cmd_help_inst = {
	.f = lvdpa_app_cmd_help,
	.help_str = "help: the commands",
	.tokens = { (void *)&lvdpa_app_tok_help, NULL },
};

/* list */
static void
lvdpa_app_cmd_list(void *res, struct cmdline *cl, void *data)
{
	RTE_SET_USED(res);
	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	lvdpa_app_show_devices(stdout);
	fflush(stdout);
}

static cmdline_parse_token_string_t lvdpa_app_tok_list =
	TOKEN_STRING_INITIALIZER(struct lvdpa_app_cmd_word, word, "list");
static cmdline_parse_inst_t lvdpa_app_cmd_list_inst = {
	.f = lvdpa_app_cmd_list,
	.help_str = "list: vDPA devices",
	.tokens = { (void *)&lvdpa_app_tok_list, NULL },
};

/* create <path> <device> */
struct lvdpa_app_cmd_create_res {
	cmdline_fixed_string_t word;
	cmdline_fixed_string_t path;
	cmdline_fixed_string_t dev;
};

static void
lvdpa_app_cmd_create(void *res, struct cmdline *cl, void *data)
{
	struct lvdpa_app_cmd_create_res *r = res;
	int rc;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	rc = lvdpa_app_port_create(r->path, r->dev);
	if (rc == 0)
		printf("created %s on %s\n", r->path, r->dev);
	else
		printf("create %s %s failed: %s\n", r->path, r->dev, strerror(-rc));
	fflush(stdout);
}

static cmdline_parse_token_string_t lvdpa_app_tok_create =
	TOKEN_STRING_INITIALIZER(struct lvdpa_app_cmd_create_res, word, "create");
static cmdline_parse_token_string_t lvdpa_app_tok_create_path =
	TOKEN_STRING_INITIALIZER(struct lvdpa_app_cmd_create_res, path, NULL);
static cmdline_parse_token_string_t lvdpa_app_tok_create_dev =
	TOKEN_STRING_INITIALIZER(struct lvdpa_app_cmd_create_res, dev, NULL);
static cmdline_parse_inst_t lvdpa_app_cmd_create_inst = {
	.f = lvdpa_app_cmd_create,
	.help_str = "create <path> <device>: serve a socket with a device",
	.tokens = { (void *)&lvdpa_app_tok_create,
		    (void *)&lvdpa_app_tok_create_path,
		    (void *)&lvdpa_app_tok_create_dev, NULL },
};

/* remove <path> */
struct lvdpa_app_cmd_path_res {
	cmdline_fixed_string_t word;
	cmdline_fixed_string_t path;
};

static void
lvdpa_app_cmd_remove(void *res, struct cmdline *cl, void *data)
{
	struct lvdpa_app_cmd_path_res *r = res;
	int rc;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	rc = lvdpa_app_port_remove(r->path);
	if (rc == 0)
		printf("removed %s\n", r->path);
	else
		printf("remove %s failed: %s\n", r->path, strerror(-rc));
	fflush(stdout);
}

static cmdline_parse_token_string_t lvdpa_app_tok_remove =
	TOKEN_STRING_INITIALIZER(struct lvdpa_app_cmd_path_res, word, "remove");
static cmdline_parse_token_string_t lvdpa_app_tok_remove_path =
	TOKEN_STRING_INITIALIZER(struct lvdpa_app_cmd_path_res, path, NULL);
static cmdline_parse_inst_t lvdpa_app_cmd_remove_inst = {
	.f = lvdpa_app_cmd_remove,
	.help_str = "remove <path>: stop serving a socket",
	.tokens = { (void *)&lvdpa_app_tok_remove,
		    (void *)&lvdpa_app_tok_remove_path, NULL },
};

/* state <path>|all */
static void
lvdpa_app_cmd_state(void *res, struct cmdline *cl, void *data)
{
	struct lvdpa_app_cmd_path_res *r = res;

	RTE_SET_USED(cl);
	RTE_SET_USED(data);
	lvdpa_app_show_state(stdout, strcmp(r->path, "all") == 0 ? NULL : r->path);
	printf("end of state\n");
	fflush(stdout);
}

static cmdline_parse_token_string_t lvdpa_app_tok_state =
	TOKEN_STRING_INITIALIZER(struct lvdpa_app_cmd_path_res, word, "state");
static cmdline_parse_token_string_t lvdpa_app_tok_state_path =
	TOKEN_STRING_INITIALIZER(struct lvdpa_app_cmd_path_res, path, NULL);
static cmdline_parse_inst_t lvdpa_app_cmd_state_inst = {
	.f = lvdpa_app_cmd_state,
	.help_str = "state <path>|all: what the guests negotiated",
	.tokens = { (void *)&lvdpa_app_tok_state,
		    (void *)&lvdpa_app_tok_state_path, NULL },
};

/* stats <device> [queue] */
struct lvdpa_app_cmd_stats_res {
	cmdline_fixed_string_t word;
	cmdline_fixed_string_t dev;
	uint16_t qid;
};

static void
lvdpa_app_cmd_stats(void *res, struct cmdline *cl, void *data)
{
	struct lvdpa_app_cmd_stats_res *r = res;

	RTE_SET_USED(cl);
	/* data marks the form with a queue number. */
	lvdpa_app_show_stats(stdout, r->dev, data != NULL ? (int)r->qid : -1);
	printf("end of stats\n");
	fflush(stdout);
}

static cmdline_parse_token_string_t lvdpa_app_tok_stats =
	TOKEN_STRING_INITIALIZER(struct lvdpa_app_cmd_stats_res, word, "stats");
static cmdline_parse_token_string_t lvdpa_app_tok_stats_dev =
	TOKEN_STRING_INITIALIZER(struct lvdpa_app_cmd_stats_res, dev, NULL);
static cmdline_parse_token_num_t lvdpa_app_tok_stats_qid =
	TOKEN_NUM_INITIALIZER(struct lvdpa_app_cmd_stats_res, qid, RTE_UINT16);
static cmdline_parse_inst_t lvdpa_app_cmd_stats_all_inst = {
	.f = lvdpa_app_cmd_stats,
	.data = NULL,
	.help_str = "stats <device>: statistics of every queue",
	.tokens = { (void *)&lvdpa_app_tok_stats,
		    (void *)&lvdpa_app_tok_stats_dev, NULL },
};
static cmdline_parse_inst_t lvdpa_app_cmd_stats_q_inst = {
	.f = lvdpa_app_cmd_stats,
	.data = (void *)1,
	.help_str = "stats <device> <queue>: statistics of one queue",
	.tokens = { (void *)&lvdpa_app_tok_stats,
		    (void *)&lvdpa_app_tok_stats_dev,
		    (void *)&lvdpa_app_tok_stats_qid, NULL },
};

/* quit */
static void
lvdpa_app_cmd_quit(void *res, struct cmdline *cl, void *data)
{
	RTE_SET_USED(res);
	RTE_SET_USED(data);
	lvdpa_app_quit = true;
	cmdline_quit(cl);
}

static cmdline_parse_token_string_t lvdpa_app_tok_quit =
	TOKEN_STRING_INITIALIZER(struct lvdpa_app_cmd_word, word, "quit");
static cmdline_parse_inst_t lvdpa_app_cmd_quit_inst = {
	.f = lvdpa_app_cmd_quit,
	.help_str = "quit: remove every socket and exit",
	.tokens = { (void *)&lvdpa_app_tok_quit, NULL },
};

static cmdline_parse_ctx_t lvdpa_app_cmd_ctx[] = {
	&lvdpa_app_cmd_help_inst,
	&lvdpa_app_cmd_list_inst,
	&lvdpa_app_cmd_create_inst,
	&lvdpa_app_cmd_remove_inst,
	&lvdpa_app_cmd_state_inst,
	&lvdpa_app_cmd_stats_q_inst,
	&lvdpa_app_cmd_stats_all_inst,
	&lvdpa_app_cmd_quit_inst,
	NULL,
};

struct cmdline *
lvdpa_app_cmdline_new(void)
{
	return cmdline_stdin_new(lvdpa_app_cmd_ctx, "lvdpa> ");
}
