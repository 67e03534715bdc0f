// The Vulkan devices the settings panel offers as backends: just their names, in the instance's
// enumeration order (the index is what "vulkan:<index>" means).
#pragma once

#include <QStringList>

namespace lamp::app {

// Names of the devices the Vulkan loader reports, each marked when it misses the baseline the
// backend needs. Empty when there is no Vulkan loader or no device (the reason is logged to the
// "app" logger, never thrown: the panel then offers Auto and CPU only).
QStringList enumerateVulkanDevices();

} // namespace lamp::app
