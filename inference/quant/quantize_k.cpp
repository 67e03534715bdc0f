// K-quant encoders. Every format is a 256-value super-block split into groups, each group with its
// own scale (and, for Q2_K/Q4_K/Q5_K, its own offset), and those per-group parameters stored as
// small integers times a fp16 super-scale. The encoder:
//   1. fits each group's float scale (and offset) by a small search: several candidate scales
//      around range/levels, each followed by a least-squares refit of scale (and offset) to the
//      codes it produced, keeping the candidate with the least squared error;
//   2. chooses the super-scales from the largest group parameters, then for every group tries the
//      integers just below and just above its fitted scale (and offset), keeping the combination
//      with the least squared error after re-rounding the codes;
//   3. refits the super-scales by least squares over the whole block with those integers and
//      codes, and keeps the refit when it lowers the error.
// All errors are measured with the exact fp16 super-scales that are stored, and codes are always
// the nearest ones for the stored parameters, so what is optimised is what dequantizeRow returns.
#include "quant/quantize_k.h"

#include "quant/block_formats.h"
#include "quant/half.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lamp::detail {
namespace {

// ---- groups with an offset: value = scale * q + offset, q in 0..nmax, offset <= 0 -------------

struct Affine {
    float scale = 0.0f;   // >= 0
    float offset = 0.0f;  // <= 0 (stored as a non-negative "min" that is subtracted)
};

// Loops below keep kLanes partial sums so the compiler can vectorise them (a single float
// accumulator is a serial chain). Group sizes are multiples of kLanes.
constexpr int kLanes = 8;

float laneSum(const float* acc) {
    float total = 0.0f;
    for (int l = 0; l < kLanes; ++l)
        total += acc[l];
    return total;
}

// Squared error of the nearest codes for (scale, offset); writes the codes when q is not null.
float affineError(const float* x, int n, int nmax, float scale, float offset, uint8_t* q) {
    const float inv = scale > 0.0f ? 1.0f / scale : 0.0f;
    float acc[kLanes]{};
    for (int i = 0; i < n; i += kLanes) {
        for (int l = 0; l < kLanes; ++l) {
            const int c = clampRound((x[i + l] - offset) * inv, 0, nmax);
            const float diff = scale * static_cast<float>(c) + offset - x[i + l];
            acc[l] += diff * diff;
            if (q != nullptr)
                q[i + l] = static_cast<uint8_t>(c);
        }
    }
    return laneSum(acc);
}

// Sums over one group that the least-squares fits need.
struct Sums {
    float sx = 0, sxx = 0;            // of the values (fixed per group)
    float sq = 0, sqq = 0, sqx = 0;   // of the codes (per candidate)
};

// Least-squares (scale, offset) for fixed codes, with offset <= 0 and scale > 0. Returns false
// when the codes cannot determine a scale (all equal). `err` is the squared error with these codes,
// an upper bound of the error after re-rounding them for the new parameters.
bool fitAffine(const Sums& s, int n, Affine& out, float& err) {
    const float fn = static_cast<float>(n);
    const float det = fn * s.sqq - s.sq * s.sq;
    if (!(det > 0.0f) || !(s.sqq > 0.0f))
        return false;
    float scale = (fn * s.sqx - s.sq * s.sx) / det;
    float offset = (s.sqq * s.sx - s.sq * s.sqx) / det;
    if (offset > 0.0f) {  // the format cannot add: fit the scale alone through zero
        offset = 0.0f;
        scale = s.sqx / s.sqq;
    }
    if (!(scale > 0.0f))
        return false;
    // sum (scale*q + offset - x)^2, expanded
    err = s.sxx + scale * scale * s.sqq + fn * offset * offset - 2.0f * scale * s.sqx -
          2.0f * offset * s.sx + 2.0f * scale * offset * s.sq;
    out = {scale, offset};
    return true;
}

// Codes for an inverse scale from `base`, and their sums.
void affineCodes(const float* x, int n, int nmax, float iscale, float base, Sums& s) {
    float sq[kLanes]{}, sqq[kLanes]{}, sqx[kLanes]{};
    for (int i = 0; i < n; i += kLanes) {
        for (int l = 0; l < kLanes; ++l) {
            const float c = static_cast<float>(clampRound((x[i + l] - base) * iscale, 0, nmax));
            sq[l] += c;
            sqq[l] += c * c;
            sqx[l] += c * x[i + l];
        }
    }
    s.sq = laneSum(sq);
    s.sqq = laneSum(sqq);
    s.sqx = laneSum(sqx);
}

// The float (scale, offset) of one group with the least squared error (step 1 above).
Affine searchAffine(const float* x, int n, int nmax) {
    float lo = 0.0f, hi = x[0];  // the offset can only go down, so the range always includes 0
    Sums s;
    for (int i = 0; i < n; ++i) {
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
        s.sx += x[i];
        s.sxx += x[i] * x[i];
    }
    if (!(hi > lo))  // constant group (<= 0), or NaN
        return {0.0f, std::isnan(lo) ? 0.0f : lo};

    const Affine initial{(hi - lo) / static_cast<float>(nmax), lo};
    const float initialErr = affineError(x, n, nmax, initial.scale, initial.offset, nullptr);
    Affine best = initial;
    float bestErr = initialErr;
    constexpr int kSteps = 10;  // candidate inverse scales (nmax - 1 .. nmax + 1) / range
    for (int k = 0; k <= kSteps; ++k) {
        const float iscale = (static_cast<float>(nmax) - 1.0f + 0.2f * static_cast<float>(k)) /
                             (hi - lo);
        affineCodes(x, n, nmax, iscale, lo, s);
        Affine fit;
        float err = 0.0f;
        if (fitAffine(s, n, fit, err) && err < bestErr) {
            bestErr = err;
            best = fit;
        }
    }
    // Alternate re-rounding and refitting from the best candidate while it improves.
    for (int iter = 0; iter < 3; ++iter) {
        affineCodes(x, n, nmax, 1.0f / best.scale, best.offset, s);
        Affine fit;
        float err = 0.0f;
        if (!fitAffine(s, n, fit, err) || !(err < bestErr * 0.9999f))
            break;
        bestErr = err;
        best = fit;
    }
    // The candidates were compared by an expanded (cancellation-prone) formula: confirm the winner.
    return affineError(x, n, nmax, best.scale, best.offset, nullptr) <= initialErr ? best : initial;
}

// A super-block of groups with offsets, quantized: value = d*sc[g]*q - dmin*mn[g].
struct AffineSuperBlock {
    float d = 0.0f;     // fp16-exact
    float dmin = 0.0f;  // fp16-exact
    uint8_t sc[16]{};
    uint8_t mn[16]{};
    uint8_t q[256]{};
};

// Step 2 for fixed super-scales: per group, the best integers (sc, mn) around the fitted values.
// Returns the total squared error.
float chooseAffineInts(const float* x, const Affine* fits, int groups, int groupSize, int nmax,
                       int intMax, AffineSuperBlock& sb) {
    float total = 0.0f;
    for (int g = 0; g < groups; ++g) {
        const float* xg = x + g * groupSize;
        const int sc0 = sb.d > 0.0f ? clampRound(std::floor(fits[g].scale / sb.d), 0, intMax) : 0;
        const int mn0 =
            sb.dmin > 0.0f ? clampRound(std::floor(-fits[g].offset / sb.dmin), 0, intMax) : 0;
        float bestErr = INFINITY;
        for (int ds = 0; ds <= 1; ++ds) {
            const int sc = sc0 + ds;
            if (sc < 0 || sc > intMax || (sb.d == 0.0f && sc != 0))
                continue;
            for (int dm = 0; dm <= 1; ++dm) {
                const int mn = mn0 + dm;
                if (mn < 0 || mn > intMax || (sb.dmin == 0.0f && mn != 0))
                    continue;
                const float scale = sb.d * static_cast<float>(sc);
                const float offset = -(sb.dmin * static_cast<float>(mn));
                const float err = affineError(xg, groupSize, nmax, scale, offset, nullptr);
                if (err < bestErr) {
                    bestErr = err;
                    sb.sc[g] = static_cast<uint8_t>(sc);
                    sb.mn[g] = static_cast<uint8_t>(mn);
                }
            }
        }
        const float scale = sb.d * static_cast<float>(sb.sc[g]);
        const float offset = -(sb.dmin * static_cast<float>(sb.mn[g]));
        total += affineError(xg, groupSize, nmax, scale, offset, sb.q + g * groupSize);
    }
    return total;
}

// Least-squares super-scales for fixed integers and codes: x ~ d*(sc*q) - dmin*mn.
bool refitAffineSupers(const float* x, int groups, int groupSize, const AffineSuperBlock& sb,
                       float& d, float& dmin) {
    double aa = 0, ab = 0, bb = 0, ax = 0, bx = 0;
    for (int g = 0; g < groups; ++g) {
        for (int l = 0; l < groupSize; ++l) {
            const int i = g * groupSize + l;
            const double a = static_cast<double>(sb.sc[g]) * sb.q[i];
            const double b = -static_cast<double>(sb.mn[g]);
            aa += a * a;
            ab += a * b;
            bb += b * b;
            ax += a * x[i];
            bx += b * x[i];
        }
    }
    double nd = 0.0, nmin = 0.0;
    const double det = aa * bb - ab * ab;
    if (bb == 0.0) {  // no group uses an offset: fit d alone
        if (aa <= 0.0)
            return false;
        nd = ax / aa;
    } else if (det > 0.0) {
        nd = (ax * bb - bx * ab) / det;
        nmin = (aa * bx - ab * ax) / det;
    } else {
        return false;
    }
    if (nd < 0.0 || nmin < 0.0)
        return false;
    d = toFp16Scale(static_cast<float>(nd));
    dmin = toFp16Scale(static_cast<float>(nmin));
    return true;
}

AffineSuperBlock quantizeAffine(const float* x, int groups, int groupSize, int nmax, int intMax) {
    Affine fits[16];
    float maxScale = 0.0f, maxMin = 0.0f;
    for (int g = 0; g < groups; ++g) {
        fits[g] = searchAffine(x + g * groupSize, groupSize, nmax);
        maxScale = std::max(maxScale, fits[g].scale);
        maxMin = std::max(maxMin, -fits[g].offset);
    }
    AffineSuperBlock sb;
    sb.d = toFp16Scale(maxScale / static_cast<float>(intMax));
    sb.dmin = toFp16Scale(maxMin / static_cast<float>(intMax));
    const float err = chooseAffineInts(x, fits, groups, groupSize, nmax, intMax, sb);

    AffineSuperBlock refit = sb;
    if (refitAffineSupers(x, groups, groupSize, sb, refit.d, refit.dmin)) {
        const float err2 = chooseAffineInts(x, fits, groups, groupSize, nmax, intMax, refit);
        if (err2 < err)
            return refit;
    }
    return sb;
}

// ---- signed groups: value = scale * q, q in qmin..qmax ------------------------------------------

float symError(const float* x, int n, int qmin, int qmax, float scale, int8_t* q) {
    const float inv = scale != 0.0f ? 1.0f / scale : 0.0f;
    float acc[kLanes]{};
    for (int i = 0; i < n; i += kLanes) {
        for (int l = 0; l < kLanes; ++l) {
            const int c = clampRound(x[i + l] * inv, qmin, qmax);
            const float diff = scale * static_cast<float>(c) - x[i + l];
            acc[l] += diff * diff;
            if (q != nullptr)
                q[i + l] = static_cast<int8_t>(c);
        }
    }
    return laneSum(acc);
}

// Codes for an inverse scale and the least-squares scale for them; false when all codes are zero.
// `err` is the squared error with these codes (sxx: sum of squared values).
bool fitSym(const float* x, int n, int qmin, int qmax, float iscale, float sxx, float& scale,
            float& err) {
    float qqAcc[kLanes]{}, qxAcc[kLanes]{};
    for (int i = 0; i < n; i += kLanes) {
        for (int l = 0; l < kLanes; ++l) {
            const float c = static_cast<float>(clampRound(x[i + l] * iscale, qmin, qmax));
            qqAcc[l] += c * c;
            qxAcc[l] += c * x[i + l];
        }
    }
    const float qq = laneSum(qqAcc), qx = laneSum(qxAcc);
    if (!(qq > 0.0f))
        return false;
    scale = qx / qq;
    err = sxx - qx * qx / qq;
    return true;
}

// The float scale of one group with the least squared error. Candidates map the largest-magnitude
// value near the negative end (qmin) or near the positive end (qmax) of the code range.
float searchSym(const float* x, int n, int qmin, int qmax) {
    float xm = 0.0f, sxx = 0.0f;
    for (int i = 0; i < n; ++i) {
        if (std::fabs(x[i]) > std::fabs(xm))
            xm = x[i];
        sxx += x[i] * x[i];
    }
    if (!(xm != 0.0f) || std::isnan(xm))
        return 0.0f;

    const float initial = xm / static_cast<float>(qmin);
    const float initialErr = symError(x, n, qmin, qmax, initial, nullptr);
    float best = initial;
    float bestErr = initialErr;
    for (const int end : {qmin, qmax}) {
        for (int k = -5; k <= 5; ++k) {
            const float target = static_cast<float>(end) + 0.2f * static_cast<float>(k);
            float scale = 0.0f, err = 0.0f;
            if (target != 0.0f && fitSym(x, n, qmin, qmax, target / xm, sxx, scale, err) &&
                err < bestErr) {
                bestErr = err;
                best = scale;
            }
        }
    }
    for (int iter = 0; iter < 3; ++iter) {
        float scale = 0.0f, err = 0.0f;
        if (!fitSym(x, n, qmin, qmax, 1.0f / best, sxx, scale, err) || !(err < bestErr * 0.9999f))
            break;
        bestErr = err;
        best = scale;
    }
    // The candidates were compared by an expanded (cancellation-prone) formula: confirm the winner.
    return symError(x, n, qmin, qmax, best, nullptr) <= initialErr ? best : initial;
}

// A super-block of signed groups, quantized: value = d*sc[g]*q.
struct SymSuperBlock {
    float d = 0.0f;  // fp16-exact
    int8_t sc[16]{};
    int8_t q[256]{};
};

float chooseSymInts(const float* x, const float* fits, int groups, int qmin, int qmax, int scMin,
                    int scMax, SymSuperBlock& sb) {
    constexpr int kGroupSize = 16;
    float total = 0.0f;
    for (int g = 0; g < groups; ++g) {
        const float* xg = x + g * kGroupSize;
        const int sc0 = sb.d > 0.0f ? clampRound(std::floor(fits[g] / sb.d), scMin, scMax) : 0;
        float bestErr = INFINITY;
        for (int ds = 0; ds <= 1; ++ds) {
            const int sc = sc0 + ds;
            if (sc < scMin || sc > scMax || (sb.d == 0.0f && sc != 0))
                continue;
            const float err =
                symError(xg, kGroupSize, qmin, qmax, sb.d * static_cast<float>(sc), nullptr);
            if (err < bestErr) {
                bestErr = err;
                sb.sc[g] = static_cast<int8_t>(sc);
            }
        }
        total += symError(xg, kGroupSize, qmin, qmax, sb.d * static_cast<float>(sb.sc[g]),
                          sb.q + g * kGroupSize);
    }
    return total;
}

// 16 groups of 16: codes qmin..qmax, integer scales scMin..scMax.
SymSuperBlock quantizeSym(const float* x, int qmin, int qmax, int scMin, int scMax) {
    constexpr int kGroups = 16, kGroupSize = 16;
    float fits[kGroups];
    float maxAbs = 0.0f;
    for (int g = 0; g < kGroups; ++g) {
        fits[g] = searchSym(x + g * kGroupSize, kGroupSize, qmin, qmax);
        maxAbs = std::max(maxAbs, std::fabs(fits[g]));
    }
    SymSuperBlock sb;
    sb.d = toFp16Scale(maxAbs / static_cast<float>(scMax));
    const float err = chooseSymInts(x, fits, kGroups, qmin, qmax, scMin, scMax, sb);

    // Refit d by least squares: x ~ d * (sc * q).
    double aa = 0, ax = 0;
    for (int i = 0; i < 256; ++i) {
        const double a = static_cast<double>(sb.sc[i / kGroupSize]) * sb.q[i];
        aa += a * a;
        ax += a * x[i];
    }
    if (aa > 0.0 && ax > 0.0) {
        SymSuperBlock refit = sb;
        refit.d = toFp16Scale(static_cast<float>(ax / aa));
        const float err2 = chooseSymInts(x, fits, kGroups, qmin, qmax, scMin, scMax, refit);
        if (err2 < err)
            return refit;
    }
    return sb;
}

template <typename Block>
void storeBlock(std::byte* dst, int64_t i, const Block& b) {
    std::memcpy(dst + i * static_cast<int64_t>(sizeof(Block)), &b, sizeof(Block));
}

// Position of value v (0..255) in the Q2_K/Q3_K 2-bit layout: byte and bit shift.
struct TwoBitPos {
    int byte;
    int shift;
};
constexpr TwoBitPos twoBitPos(int v) {
    const int c = v / 128, j = (v % 128) / 32, h = (v % 32) / 16, l = v % 16;
    return {32 * c + 16 * h + l, 2 * j};
}

} // namespace

void quantizeQ2_K(const float* x, std::byte* dst, int64_t blocks) {
    for (int64_t bi = 0; bi < blocks; ++bi) {
        const AffineSuperBlock sb = quantizeAffine(x + bi * 256, 16, 16, 3, 15);
        BlockQ2_K b{};
        b.d = fp32ToFp16(sb.d);
        b.dmin = fp32ToFp16(sb.dmin);
        for (int g = 0; g < 16; ++g)
            b.scales[g] = static_cast<uint8_t>(sb.sc[g] | (sb.mn[g] << 4));
        for (int v = 0; v < 256; ++v) {
            const TwoBitPos p = twoBitPos(v);
            b.qs[p.byte] = static_cast<uint8_t>(b.qs[p.byte] | (sb.q[v] << p.shift));
        }
        storeBlock(dst, bi, b);
    }
}

void quantizeQ3_K(const float* x, std::byte* dst, int64_t blocks) {
    for (int64_t bi = 0; bi < blocks; ++bi) {
        const SymSuperBlock sb = quantizeSym(x + bi * 256, -4, 3, -32, 31);
        BlockQ3_K b{};
        b.d = fp32ToFp16(sb.d);
        uint8_t stored[16];
        for (int g = 0; g < 16; ++g)
            stored[g] = static_cast<uint8_t>(sb.sc[g] + 32);
        packQ3KScales(stored, b.scales);
        for (int v = 0; v < 256; ++v) {
            const int u = sb.q[v] + 4;  // 0..7: low 2 bits in qs, bit 2 in hmask (set = no -4)
            const TwoBitPos p = twoBitPos(v);
            b.qs[p.byte] = static_cast<uint8_t>(b.qs[p.byte] | ((u & 3) << p.shift));
            b.hmask[v % 32] = static_cast<uint8_t>(b.hmask[v % 32] | ((u >> 2) << (v / 32)));
        }
        storeBlock(dst, bi, b);
    }
}

void quantizeQ4_K(const float* x, std::byte* dst, int64_t blocks) {
    for (int64_t bi = 0; bi < blocks; ++bi) {
        const AffineSuperBlock sb = quantizeAffine(x + bi * 256, 8, 32, 15, 63);
        BlockQ4_K b{};
        b.d = fp32ToFp16(sb.d);
        b.dmin = fp32ToFp16(sb.dmin);
        packScaleMinK4(sb.sc, sb.mn, b.scales);
        for (int v = 0; v < 256; ++v) {
            const int g = v / 32, l = v % 32;
            const int byte = 32 * (g / 2) + l;
            b.qs[byte] = static_cast<uint8_t>(b.qs[byte] | (sb.q[v] << (4 * (g % 2))));
        }
        storeBlock(dst, bi, b);
    }
}

void quantizeQ5_K(const float* x, std::byte* dst, int64_t blocks) {
    for (int64_t bi = 0; bi < blocks; ++bi) {
        const AffineSuperBlock sb = quantizeAffine(x + bi * 256, 8, 32, 31, 63);
        BlockQ5_K b{};
        b.d = fp32ToFp16(sb.d);
        b.dmin = fp32ToFp16(sb.dmin);
        packScaleMinK4(sb.sc, sb.mn, b.scales);
        for (int v = 0; v < 256; ++v) {
            const int g = v / 32, l = v % 32;
            const int byte = 32 * (g / 2) + l;
            b.qs[byte] = static_cast<uint8_t>(b.qs[byte] | ((sb.q[v] & 15) << (4 * (g % 2))));
            b.qh[l] = static_cast<uint8_t>(b.qh[l] | ((sb.q[v] >> 4) << g));
        }
        storeBlock(dst, bi, b);
    }
}

void quantizeQ6_K(const float* x, std::byte* dst, int64_t blocks) {
    for (int64_t bi = 0; bi < blocks; ++bi) {
        const SymSuperBlock sb = quantizeSym(x + bi * 256, -32, 31, -128, 127);
        BlockQ6_K b{};
        b.d = fp32ToFp16(sb.d);
        for (int g = 0; g < 16; ++g)
            b.scales[g] = sb.sc[g];
        for (int v = 0; v < 256; ++v) {
            const int u = sb.q[v] + 32;  // 0..63
            const int c = v / 128, k = (v % 128) / 32, l = v % 32;
            const int lowByte = 64 * c + 32 * (k % 2) + l;
            b.ql[lowByte] = static_cast<uint8_t>(b.ql[lowByte] | ((u & 15) << (k < 2 ? 0 : 4)));
            b.qh[32 * c + l] = static_cast<uint8_t>(b.qh[32 * c + l] | ((u >> 4) << (2 * k)));
        }
        storeBlock(dst, bi, b);
    }
}

// Q8_K keeps a fp32 scale: d = max|x| / 127, codes -127..127, plus the 16-value code sums.
void quantizeQ8_K(const float* x, std::byte* dst, int64_t blocks) {
    for (int64_t bi = 0; bi < blocks; ++bi) {
        const float* xb = x + bi * 256;
        float amax = 0.0f;
        for (int i = 0; i < 256; ++i)
            amax = std::max(amax, std::fabs(xb[i]));
        BlockQ8_K b{};
        b.d = amax / 127.0f;
        const float id = b.d > 0.0f ? 1.0f / b.d : 0.0f;
        for (int i = 0; i < 256; ++i)
            b.qs[i] = static_cast<int8_t>(clampRound(xb[i] * id, -127, 127));
        for (int g = 0; g < 16; ++g) {
            int sum = 0;
            for (int l = 0; l < 16; ++l)
                sum += b.qs[16 * g + l];
            b.bsums[g] = static_cast<int16_t>(sum);
        }
        storeBlock(dst, bi, b);
    }
}

} // namespace lamp::detail
