// fp16 and bf16 conversions against hand-computed bit patterns, plus exhaustive and randomised
// checks against the definition of the formats (value = (1 + m/1024) * 2^(e-15), ...) computed
// here independently with std::ldexp.
#include "quant/half.h"

#include <QtTest>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

using namespace lamp;

namespace {

// The value of fp16 bits h by the IEEE definition (NaN -> NaN).
double fp16Value(uint16_t h) {
    const int sign = (h >> 15) & 1;
    const int exp = (h >> 10) & 31;
    const int mant = h & 1023;
    double v;
    if (exp == 31)
        v = mant == 0 ? std::numeric_limits<double>::infinity()
                      : std::numeric_limits<double>::quiet_NaN();
    else if (exp == 0)
        v = std::ldexp(static_cast<double>(mant), -24);
    else
        v = std::ldexp(1.0 + mant / 1024.0, exp - 15);
    return sign ? -v : v;
}

float fromBits(uint32_t bits) { return std::bit_cast<float>(bits); }

// Checks that fp16 bits `h` are the correctly rounded (nearest, ties to even) encoding of x.
bool isNearestFp16(float x, uint16_t h) {
    const double v = fp16Value(h);
    if (std::isinf(v)) {
        // Overflow: x must be at least 65520 in magnitude (the halfway point to 65536).
        return std::fabs(x) >= 65520.0 && std::signbit(v) == std::signbit(x);
    }
    const double err = std::fabs(v - static_cast<double>(x));
    // Compare with the neighbours (same sign direction, both ways).
    for (const int delta : {-1, 1}) {
        const int nb = static_cast<int>(h & 0x7fff) + delta;
        if (nb < 0 || nb > 0x7bff)
            continue;
        const uint16_t other = static_cast<uint16_t>((h & 0x8000) | nb);
        const double otherErr = std::fabs(fp16Value(other) - static_cast<double>(x));
        if (otherErr < err)
            return false;
        if (otherErr == err && (h & 1) != 0)  // a tie must go to the even code
            return false;
    }
    return true;
}

} // namespace

class TestHalf : public QObject {
    Q_OBJECT

private slots:
    void fp16KnownValues() {
        QCOMPARE(fp32ToFp16(1.0f), uint16_t{0x3c00});
        QCOMPARE(fp32ToFp16(-2.5f), uint16_t{0xc100});
        QCOMPARE(fp32ToFp16(0.0f), uint16_t{0x0000});
        QCOMPARE(fp32ToFp16(-0.0f), uint16_t{0x8000});
        QCOMPARE(fp32ToFp16(65504.0f), uint16_t{0x7bff});
        QCOMPARE(fp32ToFp16(-65504.0f), uint16_t{0xfbff});
        QCOMPARE(fp32ToFp16(0.333251953125f), uint16_t{0x3555});  // exactly representable
        QCOMPARE(fp32ToFp16(std::ldexp(1.0f, -14)), uint16_t{0x0400});  // smallest normal
        QCOMPARE(fp32ToFp16(std::ldexp(1.0f, -24)), uint16_t{0x0001});  // smallest subnormal
        QCOMPARE(fp32ToFp16(std::ldexp(1023.0f, -24)), uint16_t{0x03ff});  // largest subnormal
        QCOMPARE(fp32ToFp16(std::numeric_limits<float>::infinity()), uint16_t{0x7c00});
        QCOMPARE(fp32ToFp16(-std::numeric_limits<float>::infinity()), uint16_t{0xfc00});
    }

    void fp16Rounding() {
        // Between 1 and 1 + 2^-10 the halfway point 1 + 2^-11 goes to the even code (1.0).
        QCOMPARE(fp32ToFp16(1.0f + std::ldexp(1.0f, -11)), uint16_t{0x3c00});
        // Halfway between 0x3c01 (odd) and 0x3c02 goes up to the even one.
        QCOMPARE(fp32ToFp16(1.0f + 3 * std::ldexp(1.0f, -11)), uint16_t{0x3c02});
        // Just above halfway rounds up.
        QCOMPARE(fp32ToFp16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)),
                 uint16_t{0x3c01});
        // Rounding carries into the exponent: halfway between 0x3fff (odd) and 2.0.
        QCOMPARE(fp32ToFp16(2.0f - std::ldexp(1.0f, -11)), uint16_t{0x4000});
        // Overflow: 65519 stays finite, 65520 (halfway, 0x7bff is odd) becomes infinity.
        QCOMPARE(fp32ToFp16(65519.0f), uint16_t{0x7bff});
        QCOMPARE(fp32ToFp16(65520.0f), uint16_t{0x7c00});
        QCOMPARE(fp32ToFp16(-1e6f), uint16_t{0xfc00});
        QCOMPARE(fp32ToFp16(std::numeric_limits<float>::max()), uint16_t{0x7c00});
        // Subnormals: 2^-25 is halfway between 0 and 2^-24 -> 0 (even); a hair above -> 2^-24.
        QCOMPARE(fp32ToFp16(std::ldexp(1.0f, -25)), uint16_t{0x0000});
        QCOMPARE(fp32ToFp16(-std::ldexp(1.0f, -25)), uint16_t{0x8000});
        QCOMPARE(fp32ToFp16(std::nextafter(std::ldexp(1.0f, -25), 1.0f)), uint16_t{0x0001});
        // 1.5 * 2^-24 is halfway between codes 1 and 2 -> 2; 2.5 * 2^-24 -> 2.
        QCOMPARE(fp32ToFp16(std::ldexp(3.0f, -25)), uint16_t{0x0002});
        QCOMPARE(fp32ToFp16(std::ldexp(5.0f, -25)), uint16_t{0x0002});
        // The largest subnormal rounds up into the smallest normal when just below it.
        QCOMPARE(fp32ToFp16(std::ldexp(2047.0f, -25)), uint16_t{0x0400});
        QCOMPARE(fp32ToFp16(1e-10f), uint16_t{0x0000});
    }

    void fp16Nan() {
        const uint16_t h = fp32ToFp16(std::numeric_limits<float>::quiet_NaN());
        QCOMPARE(h & 0x7c00, 0x7c00);
        QVERIFY((h & 0x03ff) != 0);
        // A signalling NaN whose payload lives only in the low bits must not turn into infinity.
        const uint16_t s = fp32ToFp16(fromBits(0x7f800001u));
        QCOMPARE(s & 0x7c00, 0x7c00);
        QVERIFY((s & 0x03ff) != 0);
        QVERIFY(std::isnan(fp16ToFp32(0x7e00)));
        QVERIFY(std::isnan(fp16ToFp32(0xfc01)));
    }

    void fp16ToFloatKnown() {
        QCOMPARE(fp16ToFp32(0x3c00), 1.0f);
        QCOMPARE(fp16ToFp32(0xc100), -2.5f);
        QCOMPARE(fp16ToFp32(0x7bff), 65504.0f);
        QCOMPARE(fp16ToFp32(0x0001), std::ldexp(1.0f, -24));
        QCOMPARE(fp16ToFp32(0x8001), -std::ldexp(1.0f, -24));
        QCOMPARE(fp16ToFp32(0x03ff), std::ldexp(1023.0f, -24));
        QCOMPARE(fp16ToFp32(0x0400), std::ldexp(1.0f, -14));
        QCOMPARE(fp16ToFp32(0x7c00), std::numeric_limits<float>::infinity());
        QCOMPARE(fp16ToFp32(0xfc00), -std::numeric_limits<float>::infinity());
        QVERIFY(std::signbit(fp16ToFp32(0x8000)) && fp16ToFp32(0x8000) == 0.0f);
    }

    // Every one of the 65536 codes: decoding matches the definition, and encoding the decoded value
    // gives the code back (both the dispatching and the portable functions).
    void fp16Exhaustive() {
        for (uint32_t h = 0; h <= 0xffff; ++h) {
            const auto code = static_cast<uint16_t>(h);
            const double expected = fp16Value(code);
            const float got = fp16ToFp32(code);
            QCOMPARE(fp16ToFp32Portable(code), got);
            if (std::isnan(expected)) {
                QVERIFY(std::isnan(got));
                continue;
            }
            if (static_cast<double>(got) != expected || std::signbit(got) != std::signbit(expected))
                QFAIL(qPrintable(QString("fp16 0x%1 decodes to %2, expected %3")
                                     .arg(h, 4, 16, QChar('0')).arg(double(got)).arg(expected)));
            if (fp32ToFp16(got) != code || fp32ToFp16Portable(got) != code)
                QFAIL(
                    qPrintable(QString("fp16 0x%1 does not round-trip").arg(h, 4, 16, QChar('0'))));
        }
    }

    // Random floats across the fp16 range (and beyond): the code is the nearest, ties to even.
    void fp16RandomNearest() {
        std::mt19937 rng(1234);
        std::uniform_int_distribution<uint32_t> bits(0x30000000u, 0x47ffffffu);  // 2^-31 .. 131072
        for (int i = 0; i < 200000; ++i) {
            uint32_t b = bits(rng);
            if (i % 4 == 0)
                b &= ~0x00000fffu;  // push towards exact ties (the 13 dropped bits = 1000000000000)
            if (i % 4 == 0)
                b |= 0x00001000u;
            const float x = (i % 2 ? -1.0f : 1.0f) * fromBits(b);
            const uint16_t h = fp32ToFp16(x);
            QCOMPARE(fp32ToFp16Portable(x), h);
            if (!isNearestFp16(x, h))
                QFAIL(qPrintable(QString("%1 encoded as 0x%2 is not the nearest fp16")
                                     .arg(double(x), 0, 'g', 10).arg(h, 4, 16, QChar('0'))));
        }
    }

    void roundToFp16Works() {
        QCOMPARE(roundToFp16(0.1f), static_cast<float>(fp16Value(0x2e66)));
        QCOMPARE(roundToFp16(3.0f), 3.0f);
    }

    void bf16KnownValues() {
        QCOMPARE(fp32ToBf16(1.0f), uint16_t{0x3f80});
        QCOMPARE(fp32ToBf16(-2.5f), uint16_t{0xc020});
        QCOMPARE(fp32ToBf16(0.0f), uint16_t{0x0000});
        QCOMPARE(fp32ToBf16(-0.0f), uint16_t{0x8000});
        QCOMPARE(fp32ToBf16(std::numeric_limits<float>::infinity()), uint16_t{0x7f80});
        QCOMPARE(fp32ToBf16(-std::numeric_limits<float>::infinity()), uint16_t{0xff80});
        QCOMPARE(fp32ToBf16(std::ldexp(1.0f, -133)), uint16_t{0x0001});  // smallest subnormal
        QCOMPARE(fp32ToBf16(3.3895313892515355e38f), uint16_t{0x7f7f});  // largest finite
        QCOMPARE(bf16ToFp32(0x3f80), 1.0f);
        QCOMPARE(bf16ToFp32(0xc020), -2.5f);
        QCOMPARE(bf16ToFp32(0x0001), std::ldexp(1.0f, -133));
        QCOMPARE(bf16ToFp32(0x7f80), std::numeric_limits<float>::infinity());
    }

    void bf16Rounding() {
        // 1 + 2^-8 is halfway between 1.0 (0x3f80) and 1 + 2^-7 (0x3f81): even -> 0x3f80.
        QCOMPARE(fp32ToBf16(1.0f + std::ldexp(1.0f, -8)), uint16_t{0x3f80});
        // 1 + 3 * 2^-8 is halfway between 0x3f81 (odd) and 0x3f82: -> 0x3f82.
        QCOMPARE(fp32ToBf16(1.0f + 3 * std::ldexp(1.0f, -8)), uint16_t{0x3f82});
        QCOMPARE(fp32ToBf16(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)), uint16_t{0x3f81});
        // Rounding carries into the exponent.
        QCOMPARE(fp32ToBf16(2.0f - std::ldexp(1.0f, -9)), uint16_t{0x4000});
        // FLT_MAX is past the halfway point above the largest bf16: infinity.
        QCOMPARE(fp32ToBf16(std::numeric_limits<float>::max()), uint16_t{0x7f80});
        // Subnormal ties: 2^-134 is halfway between 0 and 2^-133 -> 0.
        QCOMPARE(fp32ToBf16(std::ldexp(1.0f, -134)), uint16_t{0x0000});
        QCOMPARE(fp32ToBf16(std::ldexp(3.0f, -134)), uint16_t{0x0002});
    }

    void bf16Nan() {
        const uint16_t b = fp32ToBf16(std::numeric_limits<float>::quiet_NaN());
        QCOMPARE(b & 0x7f80, 0x7f80);
        QVERIFY((b & 0x007f) != 0);
        // Payload only in the dropped low bits: must stay NaN, not become infinity.
        const uint16_t s = fp32ToBf16(fromBits(0xff800001u));
        QCOMPARE(s & 0xff80, 0xff80);
        QVERIFY((s & 0x007f) != 0);
        QVERIFY(std::isnan(bf16ToFp32(0x7fc0)));
    }

    void bf16Exhaustive() {
        for (uint32_t b = 0; b <= 0xffff; ++b) {
            const auto code = static_cast<uint16_t>(b);
            const float v = bf16ToFp32(code);
            QCOMPARE(std::bit_cast<uint32_t>(v), b << 16);
            if (!std::isnan(v) && fp32ToBf16(v) != code)
                QFAIL(
                    qPrintable(QString("bf16 0x%1 does not round-trip").arg(b, 4, 16, QChar('0'))));
        }
    }

    void constexprUsable() {
        static_assert(fp32ToFp16Portable(1.0f) == 0x3c00);
        static_assert(fp16ToFp32Portable(0xc100) == -2.5f);
        static_assert(fp32ToBf16(1.0f) == 0x3f80);
        static_assert(bf16ToFp32(0x4000) == 2.0f);
        QVERIFY(true);
    }
};

QTEST_APPLESS_MAIN(TestHalf)
#include "test_half.moc"
