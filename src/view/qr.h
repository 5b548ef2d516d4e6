/* QR codes as inline SVG (libqrencode), for the two-step log-in set-up. */
#ifndef CAMPUS_VIEW_QR_H
#define CAMPUS_VIEW_QR_H

struct buf;

/* An <svg role="img"> of text as a QR code (error correction M, a quiet zone
 * of 4 modules), labelled by title (escaped). Only elements and attributes,
 * no style: it passes the CSP as part of the page. 0, CAMPUS_EINVAL when the
 * text does not fit a QR code, CAMPUS_ENOMEM when out is full. */
int qr_svg(const char *text, const char *title, struct buf *out);

#endif
