// dequantizeRow against hand-built blocks. Each block is assembled byte by byte here from the
// format description (docs: FACTS "Block formats"), with chosen scales, mins and codes, and the
// expected floats are the format's formula evaluated on those choices — never the library's own
// decoder. Scales are small dyadic numbers so every expected value is exact in float.
// Then, against another implementation: the tiny-llama files in ../shared/models, quantized by
// llama.cpp, must decode to values close to the F32 file's weights.
#include "core/error.h"
#include "gguf/gguf_file.h"
#include "quant/dequantize.h"
#include "quant/tensor_type.h"
#include "support/shared_data.h"

#include <QtTest>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

using namespace lamp;

namespace {

// fp16 bit patterns of the scales used below (computed by hand).
constexpr uint16_t kH1 = 0x3c00;       // 1.0
constexpr uint16_t kH0_5 = 0x3800;     // 0.5
constexpr uint16_t kH0_25 = 0x3400;    // 0.25
constexpr uint16_t kH0_125 = 0x3000;   // 0.125
constexpr uint16_t kH1_5 = 0x3e00;     // 1.5
constexpr uint16_t kHm0_5 = 0xb800;    // -0.5
constexpr uint16_t kHm1_5 = 0xbe00;    // -1.5
constexpr uint16_t kH0_375 = 0x3600;   // 0.375
constexpr uint16_t kH2 = 0x4000;       // 2.0
constexpr uint16_t kH0_0625 = 0x2c00;  // 0.0625

// Scale table: fp16 bits and value, indexed by a block's seed.
struct Half {
    uint16_t bits;
    float value;
};
constexpr Half kScales[] = {{kH0_5, 0.5f},   {kH0_25, 0.25f}, {kH1_5, 1.5f},
                            {kHm0_5, -0.5f}, {kH0_125, 0.125f}, {kH2, 2.0f}};
constexpr Half kOffsets[] = {{kHm1_5, -1.5f}, {kH0_375, 0.375f}, {kH1, 1.0f}, {kH0_0625, 0.0625f}};

Half scaleFor(int seed) { return kScales[seed % 6]; }
Half offsetFor(int seed) { return kOffsets[seed % 4]; }

// A block under construction: bytes plus the floats it must decode to.
struct Block {
    std::vector<uint8_t> bytes;
    std::vector<float> expected;

    void putU16(size_t at, uint16_t v) {
        bytes[at] = static_cast<uint8_t>(v & 0xff);
        bytes[at + 1] = static_cast<uint8_t>(v >> 8);
    }
};

// Codes that cover the whole range and differ between blocks.
int code(int seed, int v, int levels) { return (v * 7 + seed * 5 + (v / 3)) % levels; }

// ---- 32-value formats ---------------------------------------------------------------------------

// Q4_0: d, qs[16]; byte i = value i (low nibble) | value i+16 (high nibble); (q - 8) * d
Block makeQ4_0(int seed) {
    Block b{std::vector<uint8_t>(18, 0), std::vector<float>(32)};
    const Half d = scaleFor(seed);
    b.putU16(0, d.bits);
    for (int v = 0; v < 32; ++v) {
        const int q = code(seed, v, 16);
        b.bytes[2 + v % 16] |= static_cast<uint8_t>(v < 16 ? q : q << 4);
        b.expected[v] = static_cast<float>(q - 8) * d.value;
    }
    return b;
}

// Q4_1: d, m, qs[16]; q * d + m
Block makeQ4_1(int seed) {
    Block b{std::vector<uint8_t>(20, 0), std::vector<float>(32)};
    const Half d = scaleFor(seed), m = offsetFor(seed);
    b.putU16(0, d.bits);
    b.putU16(2, m.bits);
    for (int v = 0; v < 32; ++v) {
        const int q = code(seed, v, 16);
        b.bytes[4 + v % 16] |= static_cast<uint8_t>(v < 16 ? q : q << 4);
        b.expected[v] = static_cast<float>(q) * d.value + m.value;
    }
    return b;
}

// Q5_0: d, qh (u32: bit v = fifth bit of value v), qs[16]; (q - 16) * d
Block makeQ5_0(int seed) {
    Block b{std::vector<uint8_t>(22, 0), std::vector<float>(32)};
    const Half d = scaleFor(seed);
    b.putU16(0, d.bits);
    for (int v = 0; v < 32; ++v) {
        const int q = code(seed, v, 32);
        b.bytes[6 + v % 16] |= static_cast<uint8_t>(v < 16 ? (q & 15) : (q & 15) << 4);
        if (q & 16)
            b.bytes[2 + v / 8] |= static_cast<uint8_t>(1 << (v % 8));
        b.expected[v] = static_cast<float>(q - 16) * d.value;
    }
    return b;
}

// Q5_1: d, m, qh, qs[16]; q * d + m
Block makeQ5_1(int seed) {
    Block b{std::vector<uint8_t>(24, 0), std::vector<float>(32)};
    const Half d = scaleFor(seed), m = offsetFor(seed);
    b.putU16(0, d.bits);
    b.putU16(2, m.bits);
    for (int v = 0; v < 32; ++v) {
        const int q = code(seed, v, 32);
        b.bytes[8 + v % 16] |= static_cast<uint8_t>(v < 16 ? (q & 15) : (q & 15) << 4);
        if (q & 16)
            b.bytes[4 + v / 8] |= static_cast<uint8_t>(1 << (v % 8));
        b.expected[v] = static_cast<float>(q) * d.value + m.value;
    }
    return b;
}

// Q8_0: d, int8 qs[32]; q * d. Codes include -128 and 127.
Block makeQ8_0(int seed) {
    Block b{std::vector<uint8_t>(34, 0), std::vector<float>(32)};
    const Half d = scaleFor(seed);
    b.putU16(0, d.bits);
    for (int v = 0; v < 32; ++v) {
        const int q = v == 0 ? -128 : v == 1 ? 127 : code(seed, v, 256) - 128;
        b.bytes[2 + v] = static_cast<uint8_t>(static_cast<int8_t>(q));
        b.expected[v] = static_cast<float>(q) * d.value;
    }
    return b;
}

// ---- K-quants -----------------------------------------------------------------------------------

// The 2-bit layout of Q2_K/Q3_K: value v = 128c + 32j + 16h + l sits in bits 2j of byte 32c+16h+l.
void put2Bits(std::vector<uint8_t>& bytes, size_t base, int v, int q) {
    const int c = v / 128, j = (v % 128) / 32, h = (v % 32) / 16, l = v % 16;
    bytes[base + static_cast<size_t>(32 * c + 16 * h + l)] |= static_cast<uint8_t>(q << (2 * j));
}

// Q2_K: scales[16] (low nibble sc, high nibble mn), qs[64], d, dmin; d*sc*q - dmin*mn
Block makeQ2_K(int seed) {
    Block b{std::vector<uint8_t>(84, 0), std::vector<float>(256)};
    const float d = 0.5f, dmin = 0.25f;
    b.putU16(80, kH0_5);
    b.putU16(82, kH0_25);
    for (int g = 0; g < 16; ++g) {
        const int sc = (g * 5 + seed + 3) % 16, mn = (g * 11 + seed * 3 + 15) % 16;
        b.bytes[static_cast<size_t>(g)] = static_cast<uint8_t>(sc | (mn << 4));
        for (int l = 0; l < 16; ++l) {
            const int v = 16 * g + l;
            const int q = code(seed, v, 4);
            put2Bits(b.bytes, 16, v, q);
            b.expected[v] = d * static_cast<float>(sc) * static_cast<float>(q) -
                            dmin * static_cast<float>(mn);
        }
    }
    return b;
}

// Q3_K: hmask[32], qs[64], scales[12], d. Scale i (6 bits, offset 32): low 4 bits in the low nibble
// of scales[i] (i < 8) or the high nibble of scales[i-8]; high 2 bits at bit 2*(i/4) of
// scales[8 + i%4]. High bit of value v: bit v/32 of hmask[v%32], CLEAR means subtract 4.
Block makeQ3_K(int seed) {
    Block b{std::vector<uint8_t>(110, 0), std::vector<float>(256)};
    const float d = 0.25f;
    b.putU16(108, kH0_25);
    // Distinct 6-bit values touching every bit: 0, 63, 48 (both high bits), 17, ...
    static constexpr int kStored[16] = {0,  63, 48, 17, 32, 5,  58, 40,
                                        31, 44, 12, 61, 33, 20, 52, 9};
    for (int i = 0; i < 16; ++i) {
        const int s = kStored[(i + seed) % 16];
        if (i < 8)
            b.bytes[96 + static_cast<size_t>(i)] |= static_cast<uint8_t>(s & 15);
        else
            b.bytes[96 + static_cast<size_t>(i - 8)] |= static_cast<uint8_t>((s & 15) << 4);
        b.bytes[96 + 8 + static_cast<size_t>(i % 4)] |=
            static_cast<uint8_t>((s >> 4) << (2 * (i / 4)));
    }
    for (int v = 0; v < 256; ++v) {
        const int q3 = code(seed, v, 8);  // 3-bit: low 2 bits + high bit
        const int low = q3 & 3;
        const bool high = (q3 & 4) != 0;
        put2Bits(b.bytes, 32, v, low);
        if (high)
            b.bytes[static_cast<size_t>(v % 32)] |= static_cast<uint8_t>(1 << (v / 32));
        const int sc = kStored[(v / 16 + seed) % 16] - 32;
        b.expected[v] = d * static_cast<float>(sc) * static_cast<float>(low - (high ? 0 : 4));
    }
    return b;
}

// The Q4_K/Q5_K 12-byte scale/min packing, written from the FACTS description.
void packK4(std::vector<uint8_t>& bytes, size_t base, const int* sc, const int* mn) {
    for (int j = 0; j < 4; ++j) {
        bytes[base + static_cast<size_t>(j)] =
            static_cast<uint8_t>(sc[j] | ((sc[j + 4] >> 4) << 6));
        bytes[base + static_cast<size_t>(j + 4)] =
            static_cast<uint8_t>(mn[j] | ((mn[j + 4] >> 4) << 6));
        bytes[base + static_cast<size_t>(j + 8)] =
            static_cast<uint8_t>((sc[j + 4] & 15) | ((mn[j + 4] & 15) << 4));
    }
}

// 6-bit scales and mins for groups 0..7; groups >= 4 have high bits set so a wrong unpack shows.
void k4ScalesMins(int seed, int* sc, int* mn) {
    static constexpr int kSc[8] = {1, 63, 17, 40, 33, 50, 63, 47};
    static constexpr int kMn[8] = {62, 5, 36, 20, 49, 16, 59, 34};
    for (int g = 0; g < 8; ++g) {
        sc[g] = kSc[(g + seed) % 8];
        mn[g] = kMn[(g + 3 * seed) % 8];
    }
}

// Q4_K: d, dmin, scales[12], qs[128]; group g = values 32g..32g+31; within each 64 values the low
// nibbles of 32 bytes are the first 32 values and the high nibbles the next 32.
Block makeQ4_K(int seed) {
    Block b{std::vector<uint8_t>(144, 0), std::vector<float>(256)};
    const float d = 0.125f, dmin = 0.0625f;
    b.putU16(0, kH0_125);
    b.putU16(2, kH0_0625);
    int sc[8], mn[8];
    k4ScalesMins(seed, sc, mn);
    packK4(b.bytes, 4, sc, mn);
    for (int v = 0; v < 256; ++v) {
        const int g = v / 32, q = code(seed, v, 16);
        const size_t byte = 16 + static_cast<size_t>(32 * (v / 64) + v % 32);
        b.bytes[byte] |= static_cast<uint8_t>(g % 2 == 0 ? q : q << 4);
        b.expected[v] = d * static_cast<float>(sc[g]) * static_cast<float>(q) -
                        dmin * static_cast<float>(mn[g]);
    }
    return b;
}

// Q5_K: d, dmin, scales[12], qh[32], qs[128]; as Q4_K with a fifth bit: bit v/32 of qh[v%32].
Block makeQ5_K(int seed) {
    Block b{std::vector<uint8_t>(176, 0), std::vector<float>(256)};
    const float d = 0.25f, dmin = 0.5f;
    b.putU16(0, kH0_25);
    b.putU16(2, kH0_5);
    int sc[8], mn[8];
    k4ScalesMins(seed + 1, sc, mn);
    packK4(b.bytes, 4, sc, mn);
    for (int v = 0; v < 256; ++v) {
        const int g = v / 32, q = code(seed, v, 32);
        const size_t byte = 48 + static_cast<size_t>(32 * (v / 64) + v % 32);
        b.bytes[byte] |= static_cast<uint8_t>(g % 2 == 0 ? (q & 15) : (q & 15) << 4);
        if (q & 16)
            b.bytes[16 + static_cast<size_t>(v % 32)] |= static_cast<uint8_t>(1 << (v / 32));
        b.expected[v] = d * static_cast<float>(sc[g]) * static_cast<float>(q) -
                        dmin * static_cast<float>(mn[g]);
    }
    return b;
}

// Q6_K: ql[128], qh[64], int8 scales[16], d; d*sc*(q - 32), 16 groups of 16. Value
// v = 128c + 32k + l: low 4 bits in the low (k<2) / high (k>=2) nibble of ql[64c + 32(k%2) + l],
// high 2 bits at bits 2k of qh[32c + l].
Block makeQ6_K(int seed) {
    Block b{std::vector<uint8_t>(210, 0), std::vector<float>(256)};
    const float d = 0.0625f;
    b.putU16(208, kH0_0625);
    static constexpr int kSc[16] = {-128, 127, -5, 3,  64,  -64, 1,  -1,
                                    100,  -77, 0,  42, -33, 17,  90, -2};
    for (int g = 0; g < 16; ++g)
        b.bytes[192 + static_cast<size_t>(g)] =
            static_cast<uint8_t>(static_cast<int8_t>(kSc[(g + seed) % 16]));
    for (int v = 0; v < 256; ++v) {
        const int q = code(seed, v, 64);
        const int c = v / 128, k = (v % 128) / 32, l = v % 32;
        const size_t lo = static_cast<size_t>(64 * c + 32 * (k % 2) + l);
        b.bytes[lo] |= static_cast<uint8_t>(k < 2 ? (q & 15) : (q & 15) << 4);
        b.bytes[128 + static_cast<size_t>(32 * c + l)] |= static_cast<uint8_t>((q >> 4) << (2 * k));
        b.expected[v] =
            d * static_cast<float>(kSc[(v / 16 + seed) % 16]) * static_cast<float>(q - 32);
    }
    return b;
}

// Q8_K: float d, int8 qs[256], int16 bsums[16]; q * d
Block makeQ8_K(int seed) {
    Block b{std::vector<uint8_t>(292, 0), std::vector<float>(256)};
    const float d = seed % 2 ? 0.375f : -0.03125f;
    std::memcpy(b.bytes.data(), &d, 4);
    for (int v = 0; v < 256; ++v) {
        const int q = code(seed, v, 256) - 128;
        b.bytes[4 + static_cast<size_t>(v)] = static_cast<uint8_t>(static_cast<int8_t>(q));
        b.expected[v] = d * static_cast<float>(q);
    }
    return b;
}

using Maker = Block (*)(int);

// Concatenates `blocks` blocks (seeds 0, 1, ...) and checks the decoded row, read from an odd
// address so that alignment assumptions show.
void checkRow(TensorType type, Maker make, int blocks) {
    std::vector<uint8_t> bytes(1, 0xee);  // one leading byte: the row starts unaligned
    std::vector<float> expected;
    for (int s = 0; s < blocks; ++s) {
        const Block b = make(s);
        bytes.insert(bytes.end(), b.bytes.begin(), b.bytes.end());
        expected.insert(expected.end(), b.expected.begin(), b.expected.end());
    }
    const auto n = static_cast<int64_t>(expected.size());
    QCOMPARE(rowBytes(type, n), bytes.size() - 1);
    std::vector<float> got(expected.size() + 1, -12345.0f);  // a sentinel after the row
    dequantizeRow(type, bytes.data() + 1, got.data(), n);
    for (size_t i = 0; i < expected.size(); ++i) {
        if (got[i] != expected[i])
            QFAIL(qPrintable(QString("%1 value %2 (block %3, index %4): got %5, expected %6")
                                 .arg(QString::fromStdString(std::string(tensorTypeName(type))))
                                 .arg(i).arg(i / (expected.size() / static_cast<size_t>(blocks)))
                                 .arg(i % (expected.size() / static_cast<size_t>(blocks)))
                                 .arg(double(got[i])).arg(double(expected[i]))));
    }
    QCOMPARE(got.back(), -12345.0f);
}

} // namespace

class TestDequantize : public QObject {
    Q_OBJECT

private slots:
    void blocks_data() {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("blocks");
        const auto add = [](const char* name, TensorType t, int blocks) {
            QTest::newRow(name) << static_cast<int>(t) << blocks;
        };
        for (const int blocks : {1, 3}) {
            const bool multi = blocks > 1;
            add(multi ? "Q4_0 x3" : "Q4_0", TensorType::Q4_0, blocks);
            add(multi ? "Q4_1 x3" : "Q4_1", TensorType::Q4_1, blocks);
            add(multi ? "Q5_0 x3" : "Q5_0", TensorType::Q5_0, blocks);
            add(multi ? "Q5_1 x3" : "Q5_1", TensorType::Q5_1, blocks);
            add(multi ? "Q8_0 x3" : "Q8_0", TensorType::Q8_0, blocks);
            add(multi ? "Q2_K x3" : "Q2_K", TensorType::Q2_K, blocks);
            add(multi ? "Q3_K x3" : "Q3_K", TensorType::Q3_K, blocks);
            add(multi ? "Q4_K x3" : "Q4_K", TensorType::Q4_K, blocks);
            add(multi ? "Q5_K x3" : "Q5_K", TensorType::Q5_K, blocks);
            add(multi ? "Q6_K x3" : "Q6_K", TensorType::Q6_K, blocks);
            add(multi ? "Q8_K x3" : "Q8_K", TensorType::Q8_K, blocks);
        }
    }

    void blocks() {
        QFETCH(int, type);
        QFETCH(int, blocks);
        const auto t = static_cast<TensorType>(type);
        Maker make = nullptr;
        switch (t) {
        case TensorType::Q4_0: make = makeQ4_0; break;
        case TensorType::Q4_1: make = makeQ4_1; break;
        case TensorType::Q5_0: make = makeQ5_0; break;
        case TensorType::Q5_1: make = makeQ5_1; break;
        case TensorType::Q8_0: make = makeQ8_0; break;
        case TensorType::Q2_K: make = makeQ2_K; break;
        case TensorType::Q3_K: make = makeQ3_K; break;
        case TensorType::Q4_K: make = makeQ4_K; break;
        case TensorType::Q5_K: make = makeQ5_K; break;
        case TensorType::Q6_K: make = makeQ6_K; break;
        case TensorType::Q8_K: make = makeQ8_K; break;
        default: QFAIL("no block maker");
        }
        checkRow(t, make, blocks);
    }

    // Hand-checked single values, as a second look at the two trickiest unpackings.
    void q4kGroupFiveByHand() {
        // Group 5 (j >= 4): scale = (scales[9] & 15) | ((scales[1] >> 6) << 4),
        //                   min   = (scales[9] >> 4) | ((scales[5] >> 6) << 4).
        std::vector<uint8_t> b(144, 0);
        b[0] = 0x00; b[1] = 0x3c;  // d = 1.0
        b[2] = 0x00; b[3] = 0x38;  // dmin = 0.5
        b[4 + 1] = 0xc0;           // scale high bits of group 5 = 3
        b[4 + 5] = 0x80;           // min high bits of group 5 = 2
        b[4 + 9] = 0x7a;           // low nibbles: scale 0xa, min 0x7
        // Group 5 = values 160..191 = high nibbles of qs[64..95] (bytes 16 + 64 ...). Value 161
        // = 3.
        b[16 + 64 + 1] = 0x30;
        std::vector<float> y(256);
        dequantizeRow(TensorType::Q4_K, b.data(), y.data(), 256);
        const float scale = 1.0f * (0xa | (3 << 4));  // 58
        const float min = 0.5f * (0x7 | (2 << 4));    // 0.5 * 39
        QCOMPARE(y[161], scale * 3 - min);
        QCOMPARE(y[160], -min);
        QCOMPARE(y[0], 0.0f);  // group 0: scale 0 (low bits of byte 0 are clear), min 0
    }

    void q6kNegativeScaleByHand() {
        std::vector<uint8_t> b(210, 0);
        b[208] = 0x00; b[209] = 0x40;  // d = 2.0
        b[192 + 9] = static_cast<uint8_t>(-3);  // group 9 = values 144..159
        // Value 150 = 128 + 22: c = 1, k = 0, l = 22 -> ql[64 + 22] low nibble, qh[32 + 22] bits
        // 0-1.
        b[64 + 22] = 0x05;
        b[128 + 32 + 22] = 0x02;  // high bits 2 -> q = 5 | 32 = 37 -> 37 - 32 = 5
        std::vector<float> y(256);
        dequantizeRow(TensorType::Q6_K, b.data(), y.data(), 256);
        QCOMPARE(y[150], 2.0f * -3.0f * 5.0f);
        QCOMPARE(y[151], 2.0f * -3.0f * -32.0f);  // codes 0 mean -32
    }

    // Files quantized by llama.cpp decode to the F32 model's weights within the format's error.
    // Bounds are ~10% above what these files measure (in the comments); a layout mistake gives
    // errors of order 1.
    void referenceFiles_data() {
        QTest::addColumn<QString>("format");
        QTest::addColumn<double>("bound");
        QTest::newRow("f16") << "f16" << 0.00023;    // 0.00020
        QTest::newRow("bf16") << "bf16" << 0.0018;   // 0.00160
        QTest::newRow("q8_0") << "q8_0" << 0.0057;   // 0.00517
        QTest::newRow("q4_0") << "q4_0" << 0.091;    // 0.0830
        QTest::newRow("q4_1") << "q4_1" << 0.083;    // 0.0755
        QTest::newRow("q5_0") << "q5_0" << 0.045;    // 0.0413
        QTest::newRow("q5_1") << "q5_1" << 0.040;    // 0.0365
        QTest::newRow("q2_k") << "q2_k" << 0.315;    // 0.2861
        QTest::newRow("q3_k") << "q3_k" << 0.16;     // 0.1457
        QTest::newRow("q4_k") << "q4_k" << 0.076;    // 0.0689
        QTest::newRow("q5_k") << "q5_k" << 0.038;    // 0.0349
        QTest::newRow("q6_k") << "q6_k" << 0.019;    // 0.0171
        QTest::newRow("q4_k_m") << "q4_k_m" << 0.069; // 0.0623
    }

    void referenceFiles() {
        QFETCH(QString, format);
        QFETCH(double, bound);
        LAMP_REQUIRE_SHARED(shared);
        const auto f32 = GgufFile::open(shared / "models" / "tiny-llama-f32.gguf");
        const auto quant =
            GgufFile::open(shared / "models" / ("tiny-llama-" + format.toStdString() + ".gguf"));
        double se = 0.0, ss = 0.0;
        int quantized = 0;
        for (const auto& info : quant.tensors()) {
            const GgufTensorInfo* ref = f32.findTensor(info.name);
            QVERIFY2(ref != nullptr, info.name.c_str());
            QCOMPARE(ref->type, TensorType::F32);
            QCOMPARE(ref->nElements, info.nElements);
            quantized += info.type != TensorType::F32;
            const int64_t n = info.dims[0];
            const size_t rb = rowBytes(info.type, n);
            const auto* want = reinterpret_cast<const float*>(f32.tensor(*ref).data.data());
            const auto data = quant.tensor(info).data;
            std::vector<float> row(static_cast<size_t>(n));
            for (int64_t r = 0; r < info.rows(); ++r) {
                dequantizeRow(info.type, data.data() + static_cast<size_t>(r) * rb, row.data(), n);
                for (int64_t i = 0; i < n; ++i) {
                    const double x = want[r * n + i];
                    se += (row[static_cast<size_t>(i)] - x) * (row[static_cast<size_t>(i)] - x);
                    ss += x * x;
                }
            }
        }
        QVERIFY(quantized >= 14);  // every matrix of the 2-layer model
        const double rmse = std::sqrt(se / ss);
        qInfo("tiny-llama-%s: relative RMSE %.5f against the F32 weights", qPrintable(format),
              rmse);
        QVERIFY2(rmse <= bound, qPrintable(QString("relative RMSE %1").arg(rmse)));
    }

    void plainFloats() {
        const float f32[3] = {1.5f, -0.0f, 3.0e38f};
        std::vector<float> y(3);
        dequantizeRow(TensorType::F32, f32, y.data(), 3);
        QCOMPARE(y[0], 1.5f);
        QVERIFY(std::signbit(y[1]));
        QCOMPARE(y[2], 3.0e38f);

        const uint8_t f16[8] = {0x00, 0x3c, 0x00, 0xc1,
                                0xff, 0x7b, 0x01, 0x00};  // 1, -2.5, 65504, 2^-24
        y.assign(4, 0.0f);
        dequantizeRow(TensorType::F16, f16, y.data(), 4);
        QCOMPARE(y[0], 1.0f);
        QCOMPARE(y[1], -2.5f);
        QCOMPARE(y[2], 65504.0f);
        QCOMPARE(y[3], std::ldexp(1.0f, -24));

        const uint8_t bf16[6] = {0x80, 0x3f, 0x20, 0xc0, 0x80, 0x7f};  // 1, -2.5, inf
        y.assign(3, 0.0f);
        dequantizeRow(TensorType::BF16, bf16, y.data(), 3);
        QCOMPARE(y[0], 1.0f);
        QCOMPARE(y[1], -2.5f);
        QVERIFY(std::isinf(y[2]) && y[2] > 0);
    }

    void emptyRow() {
        float y = 7.0f;
        dequantizeRow(TensorType::Q4_K, nullptr, &y, 0);
        QCOMPARE(y, 7.0f);
    }

    void badLength() {
        std::vector<uint8_t> bytes(1024, 0);
        std::vector<float> y(1024);
        QVERIFY_THROWS_EXCEPTION(FormatError,
                                 dequantizeRow(TensorType::Q4_0, bytes.data(), y.data(), 33));
        QVERIFY_THROWS_EXCEPTION(FormatError,
                                 dequantizeRow(TensorType::Q4_K, bytes.data(), y.data(), 128));
        QVERIFY_THROWS_EXCEPTION(FormatError,
                                 dequantizeRow(TensorType::Q6_K, bytes.data(), y.data(), 300));
        QVERIFY_THROWS_EXCEPTION(FormatError,
                                 dequantizeRow(TensorType::Q8_0, bytes.data(), y.data(), -32));
        try {
            dequantizeRow(TensorType::Q5_K, bytes.data(), y.data(), 100);
            QFAIL("no exception");
        } catch (const FormatError& e) {
            // The message names the problem so a user can act on it.
            QVERIFY2(QString(e.what()).contains("100") && QString(e.what()).contains("256"),
                     e.what());
        }
    }

    void unsupportedType() {
        std::vector<uint8_t> bytes(64, 0);
        std::vector<float> y(32);
        QVERIFY(!canDequantize(TensorType::Q8_1));
        QVERIFY_THROWS_EXCEPTION(FormatError,
                                 dequantizeRow(TensorType::Q8_1, bytes.data(), y.data(), 32));
        QVERIFY_THROWS_EXCEPTION(
            FormatError, dequantizeRow(static_cast<TensorType>(99), bytes.data(), y.data(), 32));
        for (const auto t : {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q4_0,
                             TensorType::Q4_1, TensorType::Q5_0, TensorType::Q5_1, TensorType::Q8_0,
                             TensorType::Q2_K, TensorType::Q3_K, TensorType::Q4_K, TensorType::Q5_K,
                             TensorType::Q6_K, TensorType::Q8_K})
            QVERIFY(canDequantize(t));
    }
};

QTEST_APPLESS_MAIN(TestDequantize)
#include "test_dequantize.moc"
