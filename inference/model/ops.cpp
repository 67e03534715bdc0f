#include "model/ops.h"

#include "cpu/thread_pool.h"
#include "cpu/vector_math.h"

#include <algorithm>
#include <cmath>

namespace lamp::ops {

void rmsNorm(const float* x, const float* w, float* out, int64_t n, float eps) {
    double sum = 0.0;  // as established engines do, the sum of squares is accumulated in double
    for (int64_t i = 0; i < n; ++i)
        sum += static_cast<double>(x[i]) * x[i];
    const float mean = static_cast<float>(sum / static_cast<double>(n));
    const float scale = 1.0f / std::sqrt(mean + eps);
    for (int64_t i = 0; i < n; ++i)
        out[i] = x[i] * scale * w[i];
}

void layerNorm(const float* x, const float* w, const float* b, float* out, int64_t n, float eps) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i)
        sum += x[i];
    const float mean = static_cast<float>(sum / static_cast<double>(n));
    double sq = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        const float d = x[i] - mean;
        sq += static_cast<double>(d) * d;
    }
    const float variance = static_cast<float>(sq / static_cast<double>(n));
    const float scale = 1.0f / std::sqrt(variance + eps);
    for (int64_t i = 0; i < n; ++i)
        out[i] = (x[i] - mean) * scale * w[i] + b[i];
}

void add(float* y, const float* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i)
        y[i] += x[i];
}

void addBias(float* y, const float* b, int64_t rows, int64_t n) {
    for (int64_t r = 0; r < rows; ++r)
        add(y + r * n, b, n);
}

void softmax(float* x, int64_t n) {
    if (n <= 0)
        return;
    const float maxValue = *std::max_element(x, x + n);
    const float inv = 1.0f / cpu::expShiftedSum(x, n, maxValue);
    for (int64_t i = 0; i < n; ++i)
        x[i] *= inv;
}

void swiglu(float* gate, const float* up, int64_t n) { cpu::siluMul(gate, up, n); }

float geluScalar(float x) {
    constexpr float kSqrt2OverPi = 0.79788456080286535588f;
    constexpr float kCoef = 0.044715f;
    return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * x * (1.0f + kCoef * x * x)));
}

void gelu(float* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i)
        x[i] = geluScalar(x[i]);
}

void ropeAngles(const RopeParams& p, int64_t pos, float* cosOut, float* sinOut) {
    const int64_t pairs = p.nRot / 2;
    const double position = static_cast<double>(pos);
    for (int64_t i = 0; i < pairs; ++i) {
        // base^(−2i/nRot), in double: the angle of position 100000 still has float accuracy
        const double inverseFrequency =
            std::pow(static_cast<double>(p.freqBase), -2.0 * static_cast<double>(i) / static_cast<double>(p.nRot));
        double theta = position * inverseFrequency * static_cast<double>(p.freqScale);
        if (p.freqFactors != nullptr)
            theta /= static_cast<double>(p.freqFactors[i]);
        cosOut[i] = static_cast<float>(std::cos(theta));
        sinOut[i] = static_cast<float>(std::sin(theta));
    }
}

void ropeApply(const RopeParams& p, float* x, int64_t heads, int64_t headDim, const float* cosv,
               const float* sinv) {
    const int64_t pairs = p.nRot / 2;
    for (int64_t h = 0; h < heads; ++h) {
        float* v = x + h * headDim;
        for (int64_t i = 0; i < pairs; ++i) {
            // the two values of pair i: adjacent (normal) or half the rotated width apart (neox)
            const int64_t a = p.mode == RopeMode::Normal ? 2 * i : i;
            const int64_t b = p.mode == RopeMode::Normal ? 2 * i + 1 : i + pairs;
            const float x0 = v[a], x1 = v[b];
            v[a] = x0 * cosv[i] - x1 * sinv[i];
            v[b] = x0 * sinv[i] + x1 * cosv[i];
        }
    }
}

float dot(const float* a, const float* b, int64_t n) {
    // Eight independent partial sums: the compiler keeps them in registers (and vectorizes them).
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; ++k)
            s[k] += a[i + k] * b[i + k];
    float total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for (; i < n; ++i)
        total += a[i] * b[i];
    return total;
}

void axpy(float* y, float a, const float* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i)
        y[i] += a * x[i];
}

} // namespace lamp::ops
