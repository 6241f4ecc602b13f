// CoreFirmware's native HAL bridge for nanoCLR (targets/posix): the natives of the interop assembly
// CoreFirmware.VirtualNanoClr forward every call to a host (the virtual board in the .NET process that
// loaded nanoCLR) through the function pointers of CoreFwHalHost. See ../BRIDGE.md.
#pragma once

#include <stdint.h>
#include <nanoCLR_Runtime.h>

extern "C"
{
    // What the host gives the bridge. Every function runs synchronously on the interpreter thread.
    // Status results: >= 0 success (a value where the call returns one), < 0 an error code of
    // CoreFirmware.VirtualNanoClr.NativeHalError; the bridge then asks last_error for the managed
    // exception type to raise (full name, or empty for NativeHalException) and the message.
    typedef struct CoreFwHalHost
    {
        int32_t (*spi_open)(int32_t busId, int32_t chipSelectPin, int32_t mode, int32_t clockHz);
        int32_t (*spi_select)(int32_t handle, int32_t selected);
        int32_t (*spi_transfer)(int32_t handle, const uint8_t *write, uint8_t *read, int32_t count);
        int32_t (*gpio_set_mode)(int32_t pin, int32_t mode);
        int32_t (*gpio_read)(int32_t pin);
        int32_t (*gpio_write)(int32_t pin, int32_t value);
        int32_t (*gpio_watch)(int32_t pin, int32_t watch);
        int64_t (*clock_ticks)(void);
        int32_t (*flash_geometry)(int32_t which); // 0: size, 1: page size
        int32_t (*flash_read)(int32_t address, uint8_t *buffer, int32_t count);
        int32_t (*flash_erase)(int32_t address);
        int32_t (*flash_program)(int32_t address, const uint8_t *data, int32_t count);
        int32_t (*watchdog)(int32_t operation, int32_t argument); // 0 start, 1 feed, 2 running?, 3 last reset by it?
        int32_t (*serial_write)(int32_t port, const uint8_t *data, int32_t count);
        int32_t (*led_set)(int32_t red, int32_t green, int32_t blue);
        int32_t (*last_error)(char *typeName, int32_t typeNameCapacity, char *message, int32_t messageCapacity);
        // Operations of NativeCrypto (RSA, AES-128-CBC, HMAC-SHA1) on up to four byte ranges; NULL/0 when unused.
        int32_t (*crypto)(
            int32_t operation,
            uint8_t *a,
            int32_t aCount,
            uint8_t *b,
            int32_t bCount,
            uint8_t *c,
            int32_t cCount,
            uint8_t *d,
            int32_t dCount);
        int32_t (*setting)(int32_t id, int32_t *value);
        int32_t (*setting_text)(int32_t id, uint8_t *buffer, int32_t capacity); // the length written
        int32_t (*reset)(const char *reason);                                   // the MCU's software reset
    } CoreFwHalHost;

    // Exported to the host (see nf-targets/Virtual/NanoClr/NanoClrLibrary.cs).
    __attribute__((visibility("default"))) int32_t CoreFwHal_Attach(const CoreFwHalHost *host, int32_t crashReportFd);
    __attribute__((visibility("default"))) int32_t CoreFwHal_RaiseEdge(int32_t pin, int32_t rising);
    __attribute__((visibility("default"))) void CoreFwHal_RequestExit(void);
    __attribute__((visibility("default"))) int32_t CoreFwHal_LastNativeCall(char *buffer, int32_t capacity);
    __attribute__((visibility("default"))) int32_t CoreFwHal_HeapStatus(int64_t *totalBytes, int64_t *freeBytes);
}
