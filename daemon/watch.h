/* SPDX-License-Identifier: MIT */
#pragma once

#include "context.h"

/* Watched calendar directories, through inotify on the event loop: the
 * inbox ($XDG_DATA_HOME/netctl/inbox, created 0700) and the directories
 * listed in [calendar] watch.  A file written or moved in is imported; in a
 * watched directory (a vdir, which mirrors a calendar) a file deleted or
 * moved out takes its meetings with it.  The inbox is a drop box: deleting
 * an invite from it does not cancel the meeting. */

/* Starts watching (again, after a config reload: directories no longer
 * listed are dropped) and schedules one scan of every directory, after
 * READY, for files that changed while netctld was not running. */
int watch_setup(Context *c);

/* Stops watching; accepts a context that never watched. */
void watch_free(Context *c);

/* The inbox path (owned by the context once watch_setup ran). */
const char *watch_inbox_path(const Context *c);
