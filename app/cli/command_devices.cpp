// `lamplight-cli devices [--json]`: every Vulkan device with its type, driver, API version, memory
// heaps, limits and optional features (those switched off by LAMPLIGHT_VK_DISABLE show as "off"),
// and which one `--backend vulkan` and Auto pick (Auto never a software renderer: the CPU path is
// faster). Without a Vulkan loader or device it says why (exit code 1).
#include "cli/cli.h"

#include "gguf/model_info.h"  // humanBytes
#include "vulkan/device_info.h"
#include "vulkan/instance.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cstdio>

namespace lamp::cli {
namespace {

using namespace lamp::vulkan;

QString q(const std::string& s) { return QString::fromStdString(s); }
QString q(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

QJsonObject toJson(const DeviceInfo& d, bool chosen) {
    QJsonObject o;
    o["index"] = d.index;
    o["name"] = q(d.name);
    o["vendor"] = q(d.vendor);
    o["vendor_id"] = static_cast<double>(d.vendorId);
    o["device_id"] = static_cast<double>(d.deviceId);
    o["type"] = q(deviceTypeName(d.type));
    o["driver_name"] = q(d.driverName);
    o["driver_info"] = q(d.driverInfo);
    o["driver_version"] = q(d.driverVersion);
    o["api_version"] = q(d.apiVersionText);
    o["usable"] = d.meetsBaseline;
    if (!d.meetsBaseline)
        o["problem"] = q(d.baselineProblem);
    o["vulkan_choice"] = chosen;                                 // what --backend vulkan uses
    o["auto_choice"] = chosen && d.type != DeviceType::Cpu;     // and --backend auto
    QJsonArray heaps;
    for (const auto& h : d.heaps)
        heaps.append(QJsonObject{{"size", static_cast<double>(h.size)},
                                 {"device_local", h.deviceLocal},
                                 {"host_visible", h.hostVisible}});
    o["memory_heaps"] = heaps;
    o["limits"] = QJsonObject{{"max_storage_buffer_range", static_cast<double>(d.maxStorageBufferRange)},
                              {"max_memory_allocation_size", static_cast<double>(d.maxMemoryAllocationSize)},
                              {"max_compute_shared_memory_size", static_cast<double>(d.maxComputeSharedMemorySize)},
                              {"max_compute_workgroup_invocations", static_cast<double>(d.maxComputeWorkGroupInvocations)},
                              {"subgroup_size", static_cast<double>(d.subgroupSize)},
                              {"min_subgroup_size", static_cast<double>(d.minSubgroupSize)},
                              {"max_subgroup_size", static_cast<double>(d.maxSubgroupSize)}};
    QJsonObject features;
    const auto enabled = featureList(d.enabled);
    const auto supported = featureList(d.supported);
    for (size_t i = 0; i < supported.size(); ++i)
        features[q(supported[i].first)] = !supported[i].second ? "no" : (enabled[i].second ? "yes" : "off");
    o["features"] = features;
    return o;
}

void printText(const DeviceInfo& d, bool chosen) {
    const char* note = !chosen                     ? ""
                       : d.type != DeviceType::Cpu ? "  (Auto's choice)"
                                                   : "  (--backend vulkan's choice; Auto runs on the CPU, faster than "
                                                     "a software renderer)";
    std::printf("device %d: %s%s\n", d.index, d.name.c_str(), note);
    const auto line = [](const char* label, const std::string& value) { std::printf("  %-22s %s\n", label, value.c_str()); };
    char ids[48];
    std::snprintf(ids, sizeof ids, " (0x%04X:0x%04X)", d.vendorId, d.deviceId);
    line("vendor", d.vendor + ids);
    line("type", std::string(deviceTypeName(d.type)));
    line("driver", (d.driverName.empty() ? std::string("?") : d.driverName) +
                       (d.driverInfo.empty() ? "" : " (" + d.driverInfo + ")") + ", version " + d.driverVersion);
    line("Vulkan", d.apiVersionText);
    if (!d.meetsBaseline)
        line("not usable", d.baselineProblem);
    for (size_t h = 0; h < d.heaps.size(); ++h) {
        const auto& heap = d.heaps[h];
        std::string kind = heap.deviceLocal ? "device-local" : "system";
        if (heap.hostVisible)
            kind += heap.deviceLocal ? ", host-visible (shared)" : ", host-visible";
        line(("memory heap " + std::to_string(h)).c_str(), humanBytes(heap.size) + " " + kind);
    }
    line("max storage buffer", humanBytes(d.maxStorageBufferRange));
    line("max allocation", humanBytes(d.maxMemoryAllocationSize));
    line("shared memory", humanBytes(d.maxComputeSharedMemorySize));
    line("subgroup size", std::to_string(d.subgroupSize) +
                              (d.minSubgroupSize != d.maxSubgroupSize
                                   ? " (" + std::to_string(d.minSubgroupSize) + "-" + std::to_string(d.maxSubgroupSize) + ")"
                                   : ""));
    std::string features;
    const auto enabled = featureList(d.enabled);
    const auto supported = featureList(d.supported);
    for (size_t i = 0; i < supported.size(); ++i)
        features += std::string(supported[i].first) + (!supported[i].second ? " no" : (enabled[i].second ? " yes" : " off")) +
                    (i + 1 < supported.size() ? ", " : "");
    line("features", features);
}

} // namespace

int runDevices(Args& args) {
    const bool json = args.flag("--json");
    if (!args.positionals().empty())
        throw UsageError("devices takes no arguments");
    const auto instance = Instance::create();
    const auto& devices = instance->devices();
    const int chosen = chooseDevice(devices);
    if (json) {
        QJsonArray list;
        for (const auto& d : devices)
            list.append(toJson(d, d.index == chosen));
        const uint32_t v = instance->loaderApiVersion();  // VK_MAKE_API_VERSION layout
        QJsonObject root{{"loader_api_version",
                          q(std::to_string(v >> 22 & 0x7Fu) + "." + std::to_string(v >> 12 & 0x3FFu) + "." +
                            std::to_string(v & 0xFFFu))}};
        root["devices"] = list;
        printJson(QJsonDocument(root));
        return 0;
    }
    if (devices.empty()) {
        std::printf("no Vulkan device found: install your GPU's Vulkan driver, or choose CPU\n");
        return 1;
    }
    for (const auto& d : devices) {
        printText(d, d.index == chosen);
        std::printf("\n");
    }
    return 0;
}

} // namespace lamp::cli
