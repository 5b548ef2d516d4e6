#include "view/qr.h"

#include <string.h>

#include <qrencode.h>

#include "core/buf.h"
#include "core/err.h"

#define QUIET 4

int qr_svg(const char *text, const char *title, struct buf *out)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return CAMPUS_EINVAL;
	int size = qr->width + 2 * QUIET;
	buf_printf(out,
	           "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"campus-qr\" viewBox=\"0 0 %d %d\" "
	           "width=\"240\" height=\"240\" role=\"img\" aria-label=\"",
	           size, size);
	buf_html_escape(out, title, strlen(title));
	buf_puts(out, "\" shape-rendering=\"crispEdges\"><title>");
	buf_html_escape(out, title, strlen(title));
	buf_printf(out, "</title><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
	           size, size);
	/* One horizontal run of dark modules per "M x y h n v1 h-n z". */
	for (int y = 0; y < qr->width; y++) {
		int x = 0;
		while (x < qr->width) {
			if (!(qr->data[y * qr->width + x] & 1)) {
				x++;
				continue;
			}
			int start = x;
			while (x < qr->width && (qr->data[y * qr->width + x] & 1))
				x++;
			buf_printf(out, "M%d %dh%dv1h-%dz", start + QUIET, y + QUIET, x - start, x - start);
		}
	}
	buf_puts(out, "\"/></svg>");
	QRcode_free(qr);
	return out->overflow ? CAMPUS_ENOMEM : 0;
}
