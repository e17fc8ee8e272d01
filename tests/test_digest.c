/* test_digest.c: SHA-256 against the FIPS 180-4 examples (including one
 * that spans blocks and a long message fed in odd pieces) and base64
 * against the RFC 4648 test vectors. */
#include "check.h"
#include "core/digest.h"

static void sha(const char *msg, const char *want)
{
    char hex[65];
    ludus_sha256_hex(msg, strlen(msg), hex);
    CHECK_STR(hex, want);
}

int main(void)
{
    sha("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', in pieces of 7 bytes */
    sha256_ctx c;
    uint8_t d[SHA256_BYTES];
    ludus_sha256_init(&c);
    const char piece[] = "aaaaaaa";
    size_t left = 1000000;
    while (left) {
        size_t n = left < 7 ? left : 7;
        ludus_sha256_update(&c, piece, n);
        left -= n;
    }
    ludus_sha256_final(&c, d);
    static const uint8_t million[8] = {0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92};
    CHECK(memcmp(d, million, 8) == 0);

    static const char *const b64[][2] = {{"", ""},           {"f", "Zg=="},         {"fo", "Zm8="},
                                         {"foo", "Zm9v"},    {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                         {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof b64 / sizeof b64[0]; i++) {
        char out[32];
        size_t n = ludus_base64_encode(b64[i][0], strlen(b64[i][0]), out);
        CHECK_STR(out, b64[i][1]);
        CHECK_EQ(n, strlen(b64[i][1]));
    }
    return check_finish("test_digest");
}
