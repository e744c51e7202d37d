/* clock.h - the library's one monotonic clock, for durations, deadlines
 * and progress: it never jumps with the wall clock. */
#ifndef PUMA_CLOCK_H
#define PUMA_CLOCK_H

/* Seconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
double clock_mono(void);

#endif
