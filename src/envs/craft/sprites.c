#include <string.h>
#include "craft.h"
void craft_textures_builtin(craft_textures *t) { memset(t, 0, sizeof *t); }
