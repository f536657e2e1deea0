/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Event channels, as DevX has them: an fd that becomes readable when event
 * records wait, each record carrying the cookie given at subscription and
 * the PRM event type and data (the EQE from byte 4). What the device raises
 * (object change when a virtq enters ERR, completion for the CQ behind a
 * queue in event mode QP) is encoded in lvdpa_model_cmd.c with the PRM.
 * The fd is the read end of a pipe, one byte per waiting record, so that
 * the channel can hang up as a device's does (faults param evchan_hup):
 * the write end closes, the fd reports EPOLLHUP, and once the records
 * queued before are read, a read fails with -EPIPE.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "lvdpa_model_priv.h"

#define LVDPA_MODEL_EVQ_SIZE 1024

struct lvdpa_model_evchan {
	struct lvdpa_tp_evchan tp;
	struct lvdpa_model_dev *dev;
	pthread_mutex_t lock;
	unsigned int head, tail;   /* free running */
	uint64_t overflow;         /* records lost to a full channel */
	int wfd;                   /* write end of the pipe, -1 once hung up */
	uint32_t posted;           /* records posted (for evchan_hup) */
	struct lvdpa_tp_event ev[LVDPA_MODEL_EVQ_SIZE];
	struct lvdpa_model_evchan *next;
};

int
lvdpa_model_evchan_create(struct lvdpa_model_dev *dev, struct lvdpa_tp_evchan **out)
{
	struct lvdpa_model_evchan *ch = calloc(1, sizeof(*ch));
	int p[2];

	if (ch == NULL)
		return -ENOMEM;
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) {
		int rc = -errno;

		free(ch);
		return rc;
	}
	ch->tp.fd = p[0];
	ch->wfd = p[1];
	ch->tp.dev = &dev->tp;
	ch->tp.priv = ch;
	ch->dev = dev;
	pthread_mutex_init(&ch->lock, NULL);
	ch->next = dev->evchans;
	dev->evchans = ch;
	*out = &ch->tp;
	return 0;
}

/* Caller holds the device lock. */
static void
lvdpa_model_evchan_unsub(struct lvdpa_model_dev *dev, struct lvdpa_model_evchan *ch)
{
	unsigned int i;

	for (i = 1; i < LVDPA_MODEL_MAX_OBJS; i++) {
		struct lvdpa_model_obj *o = dev->obj[i];
		struct lvdpa_model_evsub **p;

		if (o == NULL)
			continue;
		p = &o->subs;
		while (*p != NULL) {
			if ((*p)->ch == ch) {
				struct lvdpa_model_evsub *s = *p;

				*p = s->next;
				free(s);
			} else {
				p = &(*p)->next;
			}
		}
	}
}

void
lvdpa_model_evchan_destroy(struct lvdpa_tp_evchan *tp)
{
	struct lvdpa_model_evchan *ch = tp->priv, **p;
	struct lvdpa_model_dev *dev = ch->dev;

	lvdpa_model_evchan_unsub(dev, ch);
	for (p = &dev->evchans; *p != NULL; p = &(*p)->next)
		if (*p == ch) {
			*p = ch->next;
			break;
		}
	close(ch->tp.fd);
	if (ch->wfd >= 0)
		close(ch->wfd);
	pthread_mutex_destroy(&ch->lock);
	free(ch);
}

void
lvdpa_model_event_close_all(struct lvdpa_model_dev *dev)
{
	while (dev->evchans != NULL)
		lvdpa_model_evchan_destroy(&dev->evchans->tp);
}

int
lvdpa_model_evchan_subscribe(struct lvdpa_tp_evchan *tp, struct lvdpa_tp_obj *obj,
			     const uint16_t *types, unsigned int n, uint64_t cookie)
{
	struct lvdpa_model_evchan *ch = tp->priv;
	struct lvdpa_model_obj *o = obj->priv;
	struct lvdpa_model_evsub *s;

	if (n == 0 || n > RTE_DIM(s->types))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->ch = ch;
	memcpy(s->types, types, n * sizeof(*types));
	s->ntypes = n;
	s->cookie = cookie;
	s->next = o->subs;
	o->subs = s;
	return 0;
}

void
lvdpa_model_event_unsubscribe_all(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o)
{
	RTE_SET_USED(dev);
	while (o->subs != NULL) {
		struct lvdpa_model_evsub *s = o->subs;

		o->subs = s->next;
		free(s);
	}
}

int
lvdpa_model_evchan_read(struct lvdpa_tp_evchan *tp, struct lvdpa_tp_event *ev)
{
	struct lvdpa_model_evchan *ch = tp->priv;
	int rc = 0;

	pthread_mutex_lock(&ch->lock);
	if (ch->head != ch->tail) {
		*ev = ch->ev[ch->head++ % LVDPA_MODEL_EVQ_SIZE];
		rc = 1;
	}
	if (ch->head == ch->tail) {
		uint8_t v[64];
		ssize_t n;

		/* Empty: clear the fd's readability (non-blocking). */
		while ((n = read(ch->tp.fd, v, sizeof(v))) > 0)
			;
		if (n < 0 && errno != EAGAIN)
			rc = rc ? rc : -errno;
		else if (n == 0 && rc == 0)
			rc = -EPIPE;   /* hung up, nothing left */
	}
	pthread_mutex_unlock(&ch->lock);
	return rc;
}

static void
lvdpa_model_evchan_post(struct lvdpa_model_evchan *ch, uint64_t cookie, uint8_t type,
			const uint8_t *data, unsigned int len)
{
	struct lvdpa_tp_event *ev;
	uint8_t one = 1;

	uint32_t hup = lvdpa_model_fault_hup_after(ch->dev);

	pthread_mutex_lock(&ch->lock);
	if (ch->wfd < 0) {
		ch->overflow++;   /* hung up: nothing reaches the driver */
	} else if (ch->tail - ch->head >= LVDPA_MODEL_EVQ_SIZE) {
		ch->overflow++;
	} else {
		ev = &ch->ev[ch->tail++ % LVDPA_MODEL_EVQ_SIZE];
		memset(ev, 0, sizeof(*ev));
		ev->cookie = cookie;
		ev->type = type;
		memcpy(ev->data, data, RTE_MIN(len, sizeof(ev->data)));
		if (write(ch->wfd, &one, 1) < 0 && errno != EAGAIN)
			ch->overflow++;
		if (hup != 0 && ++ch->posted >= hup) {
			close(ch->wfd);
			ch->wfd = -1;
			LVDPA_MODEL_LOG(NOTICE, "function %u: injected fault: event channel fd %d hung up after %u events",
					ch->dev->fn, ch->tp.fd, ch->posted);
		}
	}
	pthread_mutex_unlock(&ch->lock);
}

void
lvdpa_model_event_raise(struct lvdpa_model_dev *dev, struct lvdpa_model_obj *o,
			uint8_t type, const uint8_t *data, unsigned int len)
{
	struct lvdpa_model_evsub *s;
	unsigned int i;

	RTE_SET_USED(dev);
	for (s = o->subs; s != NULL; s = s->next)
		for (i = 0; i < s->ntypes; i++)
			if (s->types[i] == type) {
				lvdpa_model_evchan_post(s->ch, s->cookie, type, data, len);
				break;
			}
}
