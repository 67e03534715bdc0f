#include "settings/vulkan_devices.h"

#include "core/log.h"
#include "vulkan/instance.h"

#include <QCoreApplication>

#include <exception>

namespace lamp::app {

QStringList enumerateVulkanDevices() {
    QStringList names;
    try {
        const auto instance = vulkan::Instance::create();
        for (const auto& device : instance->devices()) {
            QString name = QString::fromStdString(device.name);
            if (!device.meetsBaseline)
                name += QCoreApplication::translate("lamp::app::Settings", " (not usable: %1)")
                            .arg(QString::fromStdString(device.baselineProblem));
            names << name;
        }
    } catch (const std::exception& e) {
        // No loader or no device is normal on many machines: the CPU backend still works.
        lamp::log::get("app")->info("no Vulkan devices to offer in Settings: {}", e.what());
    }
    return names;
}

} // namespace lamp::app
