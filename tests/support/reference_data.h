// Reading ../shared/reference (token id lists, float32 logit files) and comparing logits, for the
// tests that check the forward pass against the reference engine or one backend against another.
#pragma once

#include <QJsonArray>
#include <QJsonObject>

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace lamp::test {

// A JSON array of token ids.
std::vector<int32_t> tokenIds(const QJsonArray& array);
// A file of little-endian float32 values (empty when it cannot be read).
std::vector<float> readFloats(const std::filesystem::path& path);
// NMSE = Σ(ours − ref)² / Σ ref²; infinite when the sizes differ or `ours` holds a NaN.
double nmse(std::span<const float> ours, std::span<const float> ref);
// The index of the largest logit.
int32_t argmax(std::span<const float> logits);
// reference/models.json of the shared folder (empty when absent).
QJsonObject readReferenceManifest(const std::filesystem::path& shared);

} // namespace lamp::test
