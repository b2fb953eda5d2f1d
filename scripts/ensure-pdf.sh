#!/usr/bin/env bash
# Debian's packages for the assessment PDF (WeasyPrint): pango for layout, Noto CJK for Chinese,
# poppler-utils (pdftotext, pdffonts, pdftoppm) for the tests that read the PDF back.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || need+=(libpango-1.0-0)
dpkg -s libpangoft2-1.0-0 >/dev/null 2>&1 || need+=(libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v pdffonts >/dev/null || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
echo "PDF: pango $(dpkg-query -W -f='${Version}' libpango-1.0-0), $(fc-list | grep -ci 'Noto Sans CJK') Noto CJK faces, $(pdffonts -v 2>&1 | head -1)"
