/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bus-names.h"
#include "bus.h"
#include "log.h"
#include "macro.h"
#include "selfcare.h"
#include "sync.h"
#include "text.h"

/* The one place where errno values become bus error names. */
static const char *bus_error_name(int r) {
        switch (-r) {
        case ENOENT:            return NETCTL_ERROR_NOT_FOUND;
        case EINVAL:
        case E2BIG:
        case ERANGE:            return NETCTL_ERROR_INVALID;
        case EEXIST:
        case EALREADY:
        case ENOTEMPTY:         return NETCTL_ERROR_CONFLICT;
        case ENOTUNIQ:          return NETCTL_ERROR_AMBIGUOUS;
        case ENOSPC:
        case EDQUOT:            return NETCTL_ERROR_NO_SPACE;
        case EACCES:
        case EPERM:             return NETCTL_ERROR_ACCESS;
        case EBUSY:             return NETCTL_ERROR_BUSY;
        /* The store says EBADMSG when the database itself is damaged:
         * not the caller's fault. */
        default:                return NETCTL_ERROR_STORAGE;
        }
}

int bus_error_errno(sd_bus_error *error, int r, const char *fmt, ...) {
        char msg[512];
        va_list ap;

        if (r >= 0)
                r = -EIO;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        /* The sentence may quote what the caller sent, cut at a byte count. */
        text_make_bus_sendable(msg);
        sd_bus_error_set(error, bus_error_name(r), msg);
        return r;
}

const char *bus_cut(const char *s, size_t max, char *buf, size_t size) {
        size_t n = strlen(s);
        if (n > max)
                n = max;
        if (n >= size)
                n = size - 1;
        while (n > 0 && n < strlen(s) && ((unsigned char) s[n] & 0xC0) == 0x80)
                n--;
        memcpy(buf, s, n);
        buf[n] = '\0';
        return buf;
}

int bus_read_options(sd_bus_message *m, const char *what, bus_option_fn fn, void *userdata,
                     sd_bus_error *error) {
        char buf[80];
        int r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
                const char *key;

                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                r = fn(m, key, userdata, error);
                if (r == BUS_OPTION_UNKNOWN)
                        return bus_error_errno(error, -EINVAL, "Unknown %s \"%s\".", what,
                                               bus_cut(key, 64, buf, sizeof buf));
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

int bus_option_type(sd_bus_message *m, const char *key, const char *want, sd_bus_error *error) {
        const char *contents;
        char type, buf[80];
        int r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        if (type != SD_BUS_TYPE_VARIANT || !contents || strcmp(contents, want) != 0)
                return bus_error_errno(error, -EINVAL, "Option \"%s\" must have type '%s'.",
                                       bus_cut(key, 64, buf, sizeof buf), want);
        return 0;
}

int bus_option_string(sd_bus_message *m, const char *key, const char **ret, sd_bus_error *error) {
        int r = bus_option_type(m, key, "s", error);
        if (r >= 0)
                r = sd_bus_message_read(m, "v", "s", ret);
        return r < 0 ? r : 0;
}

int bus_option_bool(sd_bus_message *m, const char *key, int *ret, sd_bus_error *error) {
        int r = bus_option_type(m, key, "b", error);
        if (r >= 0)
                r = sd_bus_message_read(m, "v", "b", ret);
        return r < 0 ? r : 0;
}

int bus_option_int64(sd_bus_message *m, const char *key, int64_t *ret, sd_bus_error *error) {
        int r = bus_option_type(m, key, "x", error);
        if (r >= 0)
                r = sd_bus_message_read(m, "v", "x", ret);
        return r < 0 ? r : 0;
}

int bus_option_uint64(sd_bus_message *m, const char *key, uint64_t *ret, sd_bus_error *error) {
        int r = bus_option_type(m, key, "t", error);
        if (r >= 0)
                r = sd_bus_message_read(m, "v", "t", ret);
        return r < 0 ? r : 0;
}

typedef struct ChangedBool {
        const char *key;
        int *value;
        bool *changed;
} ChangedBool;

/* One entry of PropertiesChanged's a{sv}: every key is known here (the
 * ones not asked about are skipped), so bus_read_options() never refuses. */
static int changed_bool_entry(sd_bus_message *m, const char *key, void *userdata, sd_bus_error *error) {
        ChangedBool *want = userdata;
        const char *contents;
        char type;
        int r;

        if (strcmp(key, want->key) != 0)
                return sd_bus_message_skip(m, "v") < 0 ? -EBADMSG : 0;
        *want->changed = true;
        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        if (want->value && contents && strcmp(contents, "b") == 0)
                return sd_bus_message_read(m, "v", "b", want->value) < 0 ? -EBADMSG : 0;
        if (want->value)
                *want->value = -1;
        return sd_bus_message_skip(m, "v") < 0 ? -EBADMSG : 0;
}

int bus_read_changed_bool(sd_bus_message *m, const char *key, int *ret_value, bool *ret_changed) {
        ChangedBool want = { .key = key, .value = ret_value, .changed = ret_changed };
        const char *name;
        int r;

        *ret_changed = false;
        r = bus_read_options(m, "property", changed_bool_entry, &want, NULL);
        if (r < 0)
                return r;

        /* Invalidated names: the value must be asked for. */
        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "s");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "s", &name)) > 0)
                if (strcmp(name, key) == 0) {
                        *ret_changed = true;
                        if (ret_value)
                                *ret_value = -1;
                }
        return r;
}

int bus_reply_sealed_memfd(sd_bus_message *m, int fd, const char *what, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
                return bus_error_errno(error, -errno, "Cannot seal the %s: %s.", what, strerror(errno));
        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        /* sd-bus sends a duplicate; the caller closes fd. */
        r = sd_bus_message_append(reply, "h", fd);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

int bus_check_caller(sd_bus_message *m, Context *c, sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const char *sender = sd_bus_message_get_sender(m);
        size_t slot = ELEMENTSOF(c->callers);
        uid_t euid;
        int r;

        /* Asking the bus is a round trip that blocks this handler, once per
         * call; a client making many calls (a bulk loader, "netctl done 1 2
         * 3") pays it once. */
        if (sender && strlen(sender) < sizeof c->callers[0].name)
                for (slot = 0; slot < ELEMENTSOF(c->callers); slot++)
                        if (strcmp(c->callers[slot].name, sender) == 0)
                                break;
        if (slot < ELEMENTSOF(c->callers))
                euid = c->callers[slot].euid;
        else {
                /* dbus-daemon does not attach credentials to messages;
                 * AUGMENT asks the bus for the sender's, which the bus
                 * itself vouches for. */
                r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_AUGMENT, &creds);
                if (r >= 0)
                        r = sd_bus_creds_get_euid(creds, &euid);
                if (r < 0)
                        return bus_error_errno(error, -EACCES, "Cannot verify who is calling.");
                if (sender && strlen(sender) < sizeof c->callers[0].name) {
                        slot = c->callers_next++ % ELEMENTSOF(c->callers);
                        strcpy(c->callers[slot].name, sender);
                        c->callers[slot].euid = euid;
                }
        }
        if (euid != c->uid)
                return bus_error_errno(error, -EACCES,
                                       "netctld serves only its own user (uid %u).", (unsigned) c->uid);
        return 0;
}

void bus_emit_changed(Context *c, int64_t id, const char *change) {
        if (!c->bus)
                return;
        (void) sd_bus_emit_signal(c->bus, NETCTL_OBJECT_PATH, NETCTL_IFACE_FOLLOWUPS, "Changed",
                                  "ts", (uint64_t) id, change);
        (void) sd_bus_emit_properties_changed(c->bus, NETCTL_OBJECT_PATH, NETCTL_IFACE_MANAGER,
                                              "NextDue", "NextDueId", NULL);
        /* A follow-up done counts toward the day's outreach. */
        selfcare_note_change(c, change);
        /* The [sync] vdirs follow every committed change. */
        sync_note_followup(c, id, change);
}

/* Properties carry the schedule too (Manager.NextDue, Breaks.State), so
 * Get, GetAll and Set from another uid are refused like every method, here
 * in one place before sd-bus dispatches them.  Introspect and Peer stay
 * open: they tell only the public API, shipped as
 * share/org.netctl.Netctl1.xml, and no user data. */
static int bus_filter_properties(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        const char *path, *iface;

        if (!sd_bus_message_is_method_call(m, NULL, NULL))
                return 0;
        iface = sd_bus_message_get_interface(m);
        path = sd_bus_message_get_path(m);
        if (!iface || !path || strcmp(iface, "org.freedesktop.DBus.Properties") != 0)
                return 0;
        if (strcmp(path, NETCTL_OBJECT_PATH) != 0 &&
            !(strncmp(path, NETCTL_OBJECT_PATH "/", strlen(NETCTL_OBJECT_PATH) + 1) == 0))
                return 0;
        /* A negative return with error set makes sd-bus send the error. */
        return bus_check_caller(m, c, error);
}

int bus_add_api(Context *c, sd_bus *bus) {
        int r;

        r = sd_bus_add_filter(bus, NULL, bus_filter_properties, c);
        if (r < 0)
                return log_error_errno(r, "Cannot install the caller check for properties: %m");

        r = sd_bus_add_object_vtable(bus, NULL, NETCTL_OBJECT_PATH, NETCTL_IFACE_MANAGER,
                                     bus_manager_vtable, c);
        if (r < 0)
                return log_error_errno(r, "Cannot register %s: %m", NETCTL_IFACE_MANAGER);

        r = sd_bus_add_object_vtable(bus, NULL, NETCTL_OBJECT_PATH, NETCTL_IFACE_FOLLOWUPS,
                                     bus_followups_vtable, c);
        if (r < 0)
                return log_error_errno(r, "Cannot register %s: %m", NETCTL_IFACE_FOLLOWUPS);

        r = sd_bus_add_object_vtable(bus, NULL, NETCTL_OBJECT_PATH, NETCTL_IFACE_CONTACTS,
                                     bus_contacts_vtable, c);
        if (r < 0)
                return log_error_errno(r, "Cannot register %s: %m", NETCTL_IFACE_CONTACTS);

        r = sd_bus_add_object_vtable(bus, NULL, NETCTL_OBJECT_PATH, NETCTL_IFACE_MEETINGS,
                                     bus_meetings_vtable, c);
        if (r < 0)
                return log_error_errno(r, "Cannot register %s: %m", NETCTL_IFACE_MEETINGS);

        r = sd_bus_add_object_vtable(bus, NULL, NETCTL_OBJECT_PATH, NETCTL_IFACE_BREAKS,
                                     bus_breaks_vtable, c);
        if (r < 0)
                return log_error_errno(r, "Cannot register %s: %m", NETCTL_IFACE_BREAKS);

        r = sd_bus_add_object_vtable(bus, NULL, NETCTL_OBJECT_PATH, NETCTL_IFACE_SYNC,
                                     bus_sync_vtable, c);
        if (r < 0)
                return log_error_errno(r, "Cannot register %s: %m", NETCTL_IFACE_SYNC);

        return 0;
}

int bus_setup(Context *c) {
        return bus_add_api(c, c->bus);
}
