#!/usr/bin/env python3
"""report_check.py: check a ludus report.html as a reader's tools see it.

  report_check.py html REPORT [--ids a,b,...] [--csv NAME=PATH]... [--gifs N] [--pngs N]
      The HTML parses with a strict checker of our own (every element
      closed in order, no duplicate ids, nothing external: no <script>,
      <link>, or src/href outside data: and #fragments), every <svg> is
      well-formed XML (xml.etree), the section ids are there, every data:
      URI decodes, each embedded GIF is a GIF (N of them), each embedded PNG
      a PNG (N of them), and each named CSV download holds exactly the
      bytes of the file on disk.
  report_check.py png SHOT.png LIBLUDUS
      The screenshot is not blank: decoded with ludus's own PNG reader
      (ludus_png_read_rgba through ctypes), its pixels vary.
  report_check.py dom DOM.html --ids a,b,...
      Chromium's serialized DOM holds the sections.
  report_check.py shown SHOT.png LIBLUDUS REPORT
      Every PNG picture REPORT embeds at its own size (the curriculum's
      levels) is on the screenshot pixel for pixel: the browser drew it.
"""
import os
import tempfile
import base64
import ctypes
import html.parser
import re
import sys
import xml.etree.ElementTree as ET

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Strict(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.errors, self.uris, self.svg_depth = [], set(), [], [], 0
        self.links = {}  # download name -> href

    def err(self, msg):
        self.errors.append("line %d: %s" % (self.getpos()[0], msg))

    def attrs_check(self, tag, attrs):
        d = dict(attrs)
        if "id" in d:
            if d["id"] in self.ids:
                self.err("duplicate id %r" % d["id"])
            self.ids.add(d["id"])
        for k in ("src", "href"):
            v = d.get(k)
            if v is None or tag == "svg":
                continue
            if v.startswith("data:"):
                self.uris.append(v)
            elif not v.startswith("#"):
                self.err("external %s=%r on <%s>" % (k, v[:60], tag))
        if tag == "a" and "download" in d:
            self.links[d["download"]] = d.get("href", "")
        if tag in ("script", "link", "iframe", "object", "embed"):
            self.err("<%s> in a self-contained report" % tag)

    def handle_starttag(self, tag, attrs):
        self.attrs_check(tag, attrs)
        if tag in VOID:
            return
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.attrs_check(tag, attrs)
        if tag not in VOID and "svg" not in self.stack:
            self.err("self-closing <%s/> outside SVG" % tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.err("</%s> closes %s" % (tag, "<%s>" % self.stack[-1] if self.stack else "nothing"))
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def decode_uri(uri):
    head, _, data = uri.partition(",")
    if not head.endswith(";base64"):
        raise ValueError("data: URI without base64: %r" % head)
    return head[5:-7], base64.b64decode(data, validate=True)


def check_html(path, ids, csvs, gifs, pngs=None):
    text = open(path, encoding="utf-8").read()
    fails = []
    if not text.startswith("<!DOCTYPE html>"):
        fails.append("no <!DOCTYPE html>")
    p = Strict()
    p.feed(text)
    p.close()
    fails += p.errors
    if p.stack:
        fails.append("unclosed elements at the end: %s" % p.stack)
    for i in ids:
        if i not in p.ids:
            fails.append("no element with id %r" % i)
    svgs = re.findall(r"<svg\b.*?</svg>", text, re.S)
    if not svgs:
        fails.append("no <svg>")
    for k, s in enumerate(svgs):
        try:
            root = ET.fromstring(s)
            if root.tag != "{http://www.w3.org/2000/svg}svg":
                fails.append("svg %d: root is %s" % (k, root.tag))
        except ET.ParseError as e:
            fails.append("svg %d does not parse as XML: %s" % (k, e))
    ngif = 0
    for u in p.uris:
        try:
            mime, data = decode_uri(u)
        except Exception as e:  # noqa: BLE001 - report any decoding failure
            fails.append("data: URI does not decode: %s" % e)
            continue
        if mime == "image/gif":
            ngif += 1
            if not data.startswith(b"GIF89a") and not data.startswith(b"GIF87a"):
                fails.append("an image/gif URI is not a GIF")
    if gifs is not None and ngif != gifs:
        fails.append("%d GIFs embedded, want %d" % (ngif, gifs))
    npng = 0
    for u in p.uris:
        if u.startswith("data:image/png;"):
            npng += 1
            if not decode_uri(u)[1].startswith(b"\x89PNG\r\n\x1a\n"):
                fails.append("an image/png URI is not a PNG")
    if pngs is not None and npng != pngs:
        fails.append("%d PNGs embedded, want %d" % (npng, pngs))
    for name, disk in csvs:
        if name not in p.links:
            fails.append("no download named %r (have %s)" % (name, sorted(p.links)))
            continue
        _, data = decode_uri(p.links[name])
        if data != open(disk, "rb").read():
            fails.append("download %r differs from %s" % (name, disk))
    return fails, len(svgs), ngif


def read_rgb(ludus, path):
    """(width, height, RGB bytes) of a PNG file, through ludus's reader."""
    ptr, w, h = ctypes.POINTER(ctypes.c_uint8)(), ctypes.c_int(), ctypes.c_int()
    if ludus.ludus_png_read_rgba(path.encode(), ctypes.byref(ptr), ctypes.byref(w), ctypes.byref(h)) != 0:
        return None
    rgba = ctypes.string_at(ptr, w.value * h.value * 4)
    ludus.ludus_free(ptr)
    rgb = bytearray(w.value * h.value * 3)
    rgb[0::3], rgb[1::3], rgb[2::3] = rgba[0::4], rgba[1::4], rgba[2::4]
    return w.value, h.value, bytes(rgb)


def check_shown(shot, lib, report):
    """Each PNG the report shows at its natural size is on the screenshot."""
    ludus = ctypes.CDLL(lib)
    got = read_rgb(ludus, shot)
    if not got:
        return ["cannot read the screenshot %s" % shot], 0
    sw, sh, srgb = got
    rows = [srgb[y * sw * 3:(y + 1) * sw * 3] for y in range(sh)]
    imgs = re.findall(r'<img alt="([^"]*)" width="(\d+)" height="(\d+)" src="(data:image/png;base64,[^"]*)"',
                      open(report, encoding="utf-8").read())
    fails, found = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for k, (alt, w, h, uri) in enumerate(imgs):
            f = os.path.join(tmp, "%d.png" % k)
            open(f, "wb").write(decode_uri(uri)[1])
            iw, ih, irgb = read_rgb(ludus, f)
            if (iw, ih) != (int(w), int(h)):
                continue  # shown scaled: not compared pixel for pixel
            first = irgb[:iw * 3]
            hit = False
            for y in range(sh - ih + 1):
                x = rows[y].find(first)
                while x >= 0 and not hit:
                    if x % 3 == 0 and all(rows[y + r][x:x + iw * 3] == irgb[r * iw * 3:(r + 1) * iw * 3]
                                          for r in range(ih)):
                        hit = True
                    x = rows[y].find(first, x + 1)
                if hit:
                    break
            if hit:
                found += 1
            else:
                fails.append("picture %d (%s, %dx%d) is not on the screenshot" % (k + 1, alt, iw, ih))
    if not imgs:
        fails.append("the report embeds no PNG picture")
    return fails, found


def check_png(path, lib):
    ludus = ctypes.CDLL(lib)
    ptr, w, h = ctypes.POINTER(ctypes.c_uint8)(), ctypes.c_int(), ctypes.c_int()
    rc = ludus.ludus_png_read_rgba(path.encode(), ctypes.byref(ptr), ctypes.byref(w), ctypes.byref(h))
    if rc != 0:
        return ["ludus_png_read_rgba failed: %d" % rc], 0
    n = w.value * h.value
    buf = ctypes.string_at(ptr, n * 4)
    ludus.ludus_free(ptr)
    # luminance of every 7th pixel: mean, variance and how many differ from
    # the most common (background) value
    lum, counts = [], {}
    for i in range(0, n, 7):
        r, g, b = buf[4 * i], buf[4 * i + 1], buf[4 * i + 2]
        y = (299 * r + 587 * g + 114 * b) // 1000
        lum.append(y)
        counts[y] = counts.get(y, 0) + 1
    mean = sum(lum) / len(lum)
    var = sum((v - mean) ** 2 for v in lum) / len(lum)
    background = max(counts.values()) / len(lum)
    fails = []
    if var < 50:
        fails.append("screenshot is blank: luminance variance %.1f" % var)
    if background > 0.985:
        fails.append("screenshot is blank: %.1f%% of pixels share one value" % (100 * background))
    if len(counts) < 20:
        fails.append("screenshot has only %d grey levels" % len(counts))
    return fails, var


def main(argv):
    mode = argv[1]
    ids = []
    csvs = []
    gifs = pngs = None
    rest = argv[2:]
    args = []
    i = 0
    while i < len(rest):
        if rest[i] == "--ids":
            ids = [x for x in rest[i + 1].split(",") if x]
            i += 2
        elif rest[i] == "--csv":
            name, _, disk = rest[i + 1].partition("=")
            csvs.append((name, disk))
            i += 2
        elif rest[i] == "--gifs":
            gifs = int(rest[i + 1])
            i += 2
        elif rest[i] == "--pngs":
            pngs = int(rest[i + 1])
            i += 2
        else:
            args.append(rest[i])
            i += 1
    if mode == "html":
        fails, nsvg, ngif = check_html(args[0], ids, csvs, gifs, pngs)
        info = "%d SVG charts, %d GIFs" % (nsvg, ngif)
    elif mode == "png":
        fails, var = check_png(args[0], args[1])
        info = "luminance variance %.0f" % var
    elif mode == "shown":
        fails, found = check_shown(args[0], args[1], args[2])
        info = "%d pictures found on the screenshot" % found
    elif mode == "dom":
        dom = open(args[0], encoding="utf-8", errors="replace").read()
        fails = ["the DOM has no id=%r" % i for i in ids if ('id="%s"' % i) not in dom]
        info = "%d bytes of DOM" % len(dom)
    else:
        print("report_check.py: unknown mode %r" % mode)
        return 2
    for f in fails:
        print("FAIL %s: %s" % (args[0], f))
    if not fails:
        print("ok %s %s: %s" % (mode, args[0], info))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
