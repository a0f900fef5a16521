/* The MP4 size-budget search (see budget.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "budget.h"

#include "context.h"

#include <string.h>

gifc_error budget_mp4(gifc_context *ctx, const job *j, source *src, const source_info *si,
                      const plan *base, outfile *of, budget_outcome *out)
{
    (void)j; (void)src; (void)si; (void)base; (void)of;
    memset(out, 0, sizeof *out);
    return gerr_set(&ctx->err, GIFC_ERR_UNSUPPORTED, "--max-size for MP4: not yet");
}
