// The Vulkan kernels of a Transformer layer other than the matrix products: rotary position
// embedding, softmax, attention over the KV cache, ... Like vulkan/ops.h, every operation works
// on float buffers addressed by element offsets and is recorded into a Recorder.
#pragma once

#include "model/ops.h"
#include "vulkan/ops.h"
#include "vulkan/device.h"

#include <cstdint>
#include <vector>

namespace lamp::vulkan {

// RoPE in place over x = [tokens][heads][headDim] at xOff, token t at position startPos + t, as
// ops::ropeAngles/ropeApply with p.mode and p.nRot (even, ≤ headDim). The frequencies come from
// `table` at word offset tableOff (even): ropeTable(p) uploaded once per model (it folds in p.freqBase,
// p.freqScale and p.freqFactors, computed in double so long positions keep their accuracy).
void recordRope(Recorder& rec, const Buffer& x, uint32_t xOff, uint32_t tokens, uint32_t heads, uint32_t headDim,
                uint32_t startPos, const ops::RopeParams& p, const Buffer& table, uint32_t tableOff = 0);
// nRot words for recordRope: per rotated pair, the fraction of its turns per position as 64-bit
// fixed point (low word, high word).
std::vector<uint32_t> ropeTable(const ops::RopeParams& p);

// out[r] = softmax(x[r]) for each of `rows` rows of n values (x, out: [rows][n]; out may be x).
void recordSoftmax(Recorder& rec, const Buffer& x, uint32_t xOff, const Buffer& out, uint32_t outOff, uint32_t n,
                   uint32_t rows);

// out[i] = GELU(a[i]) (tanh approximation, as ops::gelu)   (i < n; out may alias a)
void recordGelu(Recorder& rec, const Buffer& a, uint32_t aOff, const Buffer& out, uint32_t outOff, uint32_t n);
// out[i] = silu(gate[i]) · up[i] (as ops::swiglu)           (i < n; out may alias gate or up)
void recordSwiglu(Recorder& rec, const Buffer& gate, uint32_t gateOff, const Buffer& up, uint32_t upOff,
                  const Buffer& out, uint32_t outOff, uint32_t n);
// out[r][i] = x[r][i] + b[i] (as ops::addBias)             (x, out: [rows][n]; b: [n]; out may alias x)
void recordAddBias(Recorder& rec, const Buffer& x, uint32_t xOff, const Buffer& b, uint32_t bOff, const Buffer& out,
                   uint32_t outOff, uint32_t n, uint32_t rows);

// out[r] = (x[r] − mean) / sqrt(var + eps) ⊙ w + b (as ops::layerNorm)  (x, out: [rows][n]; w, b: [n])
void recordLayerNorm(Recorder& rec, const Buffer& x, uint32_t xOff, const Buffer& w, uint32_t wOff, const Buffer& b,
                     uint32_t bOff, const Buffer& out, uint32_t outOff, uint32_t n, uint32_t rows, float eps);

// Stores n rows of `width` floats (src: [n][width] at srcOff) into an f16 cache as the halves
// dstOff + (pos + r) · width, rounded as packHalf2x16 does. dstOff and width must be even
// (VulkanError otherwise): for one layer of a [context][kvHeads][length] cache, width =
// kvHeads · length and dstOff = the layer's first half.
void recordKvStore(Recorder& rec, const Buffer& src, uint32_t srcOff, const Buffer& cache, uint32_t dstOff,
                   uint32_t pos, uint32_t n, uint32_t width);

// Embedding lookup: out[t] = row ids[t] of `table` dequantized (F32, F16 or Q8_0, uploaded with
// uploadMatrix()), for `tokens` token ids (uint32 at idsOff of `ids`). out: [tokens][table.cols].
// An id ≥ table.rows writes nothing (the host checks ids before uploading them).
bool canEmbed(TensorType type);
void recordEmbed(Recorder& rec, const DeviceMatrix& table, const Buffer& ids, uint32_t idsOff, uint32_t tokens,
                 const Buffer& out, uint32_t outOff);

// Causal grouped-query attention over an f16 KV cache, as lamp::attention() (model/attention.h):
//   out[t][h] = Σ_{j ≤ startPos+t} softmax_j(scale · q[t][h] · K[j][g]) · V[j][g],  g = h / (heads / kvHeads)
// q: [tokens][heads][keyLength] floats at qOff; out: [tokens][heads][valueLength] floats at outOff;
// keys / values: one layer of the cache, [context][kvHeads][keyLength / valueLength] f16 values
// starting at the f16-element offsets kOff / vOff (buffers padded to 4 bytes, as Buffer is).
// kvHeads must divide heads; keyLength, valueLength ≤ 256.
struct AttentionShape {
    uint32_t tokens = 1, startPos = 0;
    uint32_t heads = 1, kvHeads = 1;
    uint32_t keyLength = 0, valueLength = 0;
    float scale = 1.0f;
    // One workgroup per (token, KV head) reading each K/V row once for its whole group, when the
    // group fits (heads / kvHeads ≤ 8, group · length ≤ 2048); else one per (token, query head).
    bool perGroup = true;
};
void recordAttention(Recorder& rec, const AttentionShape& s, const Buffer& q, uint32_t qOff, const Buffer& keys,
                     uint32_t kOff, const Buffer& values, uint32_t vOff, const Buffer& out, uint32_t outOff);

} // namespace lamp::vulkan
