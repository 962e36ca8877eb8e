/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* Windows time zone IDs, as Outlook and Exchange write them in TZID
 * parameters, mapped to IANA names.  The table is generated at build time
 * by tools/gen-windows-zones from the Unicode CLDR file windowsZones.xml
 * (Debian package unicode-cldr-core); only CLDR's territory "001" row of
 * each zone is kept, the one that answers "which IANA zone is this". */

typedef struct WindowsZone {
        const char *windows;    /* "W. Europe Standard Time" */
        const char *iana;       /* "Europe/Berlin" */
        const char *display;    /* "(UTC+01:00) Amsterdam, Berlin, Bern, ...", or NULL */
} WindowsZone;

extern const WindowsZone windows_zones[];
extern const size_t windows_zones_count;
