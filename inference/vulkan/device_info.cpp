// Plain helpers over DeviceInfo: names, feature switches, the Auto choice.
#include "vulkan/device_info.h"

#include <algorithm>
#include <array>

namespace lamp::vulkan {

std::string_view deviceTypeName(DeviceType type) {
    switch (type) {
    case DeviceType::Discrete: return "discrete";
    case DeviceType::Integrated: return "integrated";
    case DeviceType::Virtual: return "virtual";
    case DeviceType::Cpu: return "cpu";
    case DeviceType::Other: break;
    }
    return "other";
}

namespace {

struct FeatureField {
    std::string_view name;
    bool DeviceFeatures::*field;
};
constexpr std::array<FeatureField, 9> kFields{{
    {"storage16", &DeviceFeatures::storage16},
    {"fp16", &DeviceFeatures::float16},
    {"storage8", &DeviceFeatures::storage8},
    {"subgroup_arithmetic", &DeviceFeatures::subgroupArithmetic},
    {"subgroup_shuffle", &DeviceFeatures::subgroupShuffle},
    {"subgroup_size_control", &DeviceFeatures::subgroupSizeControl},
    {"integer_dot", &DeviceFeatures::integerDotProduct},
    {"coopmat", &DeviceFeatures::cooperativeMatrix},
    {"mappable_vram", &DeviceFeatures::mappableVram},
}};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

} // namespace

std::vector<std::pair<std::string_view, bool>> featureList(const DeviceFeatures& f) {
    std::vector<std::pair<std::string_view, bool>> out;
    for (const auto& field : kFields)
        out.emplace_back(field.name, f.*field.field);
    return out;
}

DeviceFeatures disableFeatures(DeviceFeatures f, std::string_view spec, std::vector<std::string>* unknown) {
    while (!spec.empty()) {
        const size_t comma = spec.find(',');
        const std::string_view item = trim(spec.substr(0, comma));
        spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
        if (item.empty())
            continue;
        bool known = false;
        for (const auto& field : kFields) {
            const bool subgroupGroup = item == "subgroup" && field.name.starts_with("subgroup");
            if (item == "all" || item == field.name || subgroupGroup) {
                f.*field.field = false;
                known = true;
            }
        }
        if (!known && unknown != nullptr)
            unknown->emplace_back(item);
    }
    return f;
}

std::string_view vendorName(uint32_t vendorId) {
    switch (vendorId) {
    case 0x1002: return "AMD";
    case 0x1010: return "ImgTec";
    case 0x106B: return "Apple";
    case 0x10DE: return "NVIDIA";
    case 0x13B5: return "ARM";
    case 0x14E4: return "Broadcom";
    case 0x5143: return "Qualcomm";
    case 0x8086: return "Intel";
    case 0x10005: return "Mesa";
    default: return "";
    }
}

std::vector<int> devicePreference(const std::vector<DeviceInfo>& devices) {
    const auto rank = [](DeviceType t) {
        switch (t) {
        case DeviceType::Discrete: return 4;
        case DeviceType::Integrated: return 3;
        case DeviceType::Virtual: return 2;
        case DeviceType::Cpu: return 1;
        case DeviceType::Other: break;
        }
        return 0;
    };
    std::vector<int> order;
    for (const auto& d : devices)
        if (d.meetsBaseline)
            order.push_back(d.index);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const DeviceInfo& x = devices[static_cast<size_t>(a)];
        const DeviceInfo& y = devices[static_cast<size_t>(b)];
        if (rank(x.type) != rank(y.type))
            return rank(x.type) > rank(y.type);
        return x.deviceLocalBytes > y.deviceLocalBytes;
    });
    return order;
}

int chooseDevice(const std::vector<DeviceInfo>& devices) {
    const std::vector<int> order = devicePreference(devices);
    return order.empty() ? -1 : order.front();
}

} // namespace lamp::vulkan
