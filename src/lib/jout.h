/* jout.h - writing a computed JSON object for people: indented the way
 * Python's json.dumps(obj, indent=N, ensure_ascii=False) indents it, so a
 * reference can be compared byte for byte. */
#ifndef PUMA_JOUT_H
#define PUMA_JOUT_H

#include "json.h"

/* Append v to b, indented by indent spaces per level.  Members kept as raw
 * input text are written compact.  Returns the count of invalid UTF-8
 * sequences replaced, as json_write() does. */
size_t json_write_pretty(struct buf *b, const jv *v, int indent);

#endif
