#include "support/reference_data.h"

#include <QFile>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

namespace lamp::test {

std::vector<int32_t> tokenIds(const QJsonArray& array) {
    std::vector<int32_t> out;
    for (const auto& v : array)
        out.push_back(static_cast<int32_t>(v.toInteger()));
    return out;
}

std::vector<float> readFloats(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        return {};
    std::vector<float> out(static_cast<size_t>(in.tellg()) / sizeof(float));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size() * sizeof(float)));
    return out;
}

double nmse(std::span<const float> ours, std::span<const float> ref) {
    if (ours.size() != ref.size())
        return std::numeric_limits<double>::infinity();
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < ref.size(); ++i) {
        if (std::isnan(ours[i]))
            return std::numeric_limits<double>::infinity();
        const double d = static_cast<double>(ours[i]) - ref[i];
        num += d * d;
        den += static_cast<double>(ref[i]) * ref[i];
    }
    return num / den;
}

int32_t argmax(std::span<const float> logits) {
    return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

QJsonObject readReferenceManifest(const std::filesystem::path& shared) {
    QFile f(QString::fromStdString((shared / "reference" / "models.json").string()));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace lamp::test
