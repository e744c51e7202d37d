/* carbon.h - the carbon intensity (g CO2 per kWh) a run's energy is
 * turned into CO2 with: given (--intensity), a country's from the carbon
 * table (--country; config/carbon_intensity.json unless --carbon-table
 * names another), or the world average.  docs/sustainability.md. */
#ifndef PUMA_CARBON_H
#define PUMA_CARBON_H

#include "json.h"

/* The intensity and where it comes from; owned strings (carbon_free). */
struct carbon {
	double g_per_kwh;
	char *source;		/* the table's source, or how it was given */
	char *country;		/* ISO 3166 alpha-3 code, or NULL */
	char *note;		/* the table's note for the country, or NULL */
	long year;		/* the figure's year; 0: not told */
};

/* Settle ci from --country (NULL: not given), --intensity (< 0: not
 * given) and the table (NULL: the configuration's).  0, or an exit
 * status after a message: 2 for both given or an unknown country, 1 for
 * a table that cannot be read or holds no usable figure. */
int carbon_resolve(struct carbon *ci, const char *country, double intensity, const char *table);
void carbon_free(struct carbon *ci);
/* The summary's "carbon_intensity" object. */
jv *carbon_json(const struct carbon *ci, struct arena *a);

#endif
