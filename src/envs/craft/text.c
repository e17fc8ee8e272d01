#include "craft.h"
int craft_text(const craft_spec *s, const craft_state *st, ludus_text_mode mode, char *buf, size_t cap)
{ (void)s; (void)st; (void)mode; (void)cap; buf[0] = 0; return 0; }
void craft_render_ansi(const craft_spec *s, const craft_state *st, strbuf *sb) { (void)s; (void)st; (void)sb; }
