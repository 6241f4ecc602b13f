#!/usr/bin/env python3
"""Adds CoreFirmware's HAL bridge to an unpacked nf-interpreter source tree (targets/posix).

usage: patch-nanoclr.py SRC_ROOT

- targets/posix/nanoCLR/CMakeLists.txt: includes corefw-hal.cmake when COREFW_HAL_DIR is set;
- targets/posix/nanoCLR/posix_stubs.cpp: registers CoreFirmware.VirtualNanoClr in the native assembly table;
- targets/posix/nanoCLR/Memory.cpp: NANOCLR_HEAP_SIZE=<bytes>[K|M] sets the managed heap (default 10 MB);
- targets/posix/nanoCLR/CLRStartup.cpp: exports CoreFwHal_ForgetAssemblies, which drops the .pe files
  loaded for the run that ended, so the next run (the virtual MCU's next boot) loads only its own.

Idempotent, and a file whose text does not change is not rewritten (its time stamp stays, so an
incremental build does not recompile it). Fails, naming the file, when an anchor is missing (the
tarball is not the snapshot this was written for).
"""
import os
import sys

MARK = "CoreFirmware HAL bridge"

CMAKE_BLOCK = """
# --- %s (added by nf-targets/VirtualNanoClr/Native/patch-nanoclr.py) ---
if(DEFINED COREFW_HAL_DIR)
    include(${COREFW_HAL_DIR}/corefw-hal.cmake)
endif()
""" % MARK

HEAP_FUNCTION = """    // %s (patch-nanoclr.py): NANOCLR_HEAP_SIZE=<bytes>[K|M] sets the managed heap, as a board's
    // RAM would; out-of-range or unreadable values keep the 10 MB default.
    size_t ManagedHeapBytes()
    {
        const size_t fallback = 10 * 1024 * 1024;
        const char *text = std::getenv("NANOCLR_HEAP_SIZE");
        if (text == nullptr || *text == 0)
            return fallback;
        char *end = nullptr;
        unsigned long long bytes = std::strtoull(text, &end, 10);
        if (end != nullptr && (*end == 'K' || *end == 'k'))
            bytes *= 1024ULL;
        else if (end != nullptr && (*end == 'M' || *end == 'm'))
            bytes *= 1024ULL * 1024ULL;
        return (bytes >= 64 * 1024ULL && bytes <= 1024ULL * 1024ULL * 1024ULL) ? (size_t)bytes : fallback;
    }

    const size_t c_DefaultHeapSizeBytes = ManagedHeapBytes();
""" % MARK


FORGET_FUNCTION = """
// --- %s (added by nf-targets/VirtualNanoClr/Native/patch-nanoclr.py) ---
// Between two runs of nanoCLR_Run in one process (two boots of the virtual MCU): forget the assemblies
// loaded for the run that ended (nanoCLR_LoadAssembly keeps them by name, and a normal exit does not
// clear them), so the next run resolves only what is loaded for it. Only while nanoCLR is not running:
// the next run's start rebuilds the type system before it reads an assembly.
extern "C" __attribute__((visibility("default"))) void CoreFwHal_ForgetAssemblies()
{
    for (auto &it : s_ClrSettings.m_assemblies)
        delete it.second;
    s_ClrSettings.m_assemblies.clear();
}
""" % MARK


def patch(path, edit):
    with open(path, encoding="utf-8") as f:
        old = f.read()
    new = edit(old)
    if new != old:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
        print("patched " + path)


def need(text, anchor, path):
    if anchor not in text:
        sys.exit("patch-nanoclr.py: %s: anchor not found: %r" % (path, anchor))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: patch-nanoclr.py SRC_ROOT")
    root = os.path.join(sys.argv[1], "targets", "posix", "nanoCLR")

    cmake = os.path.join(root, "CMakeLists.txt")

    def edit_cmake(text):
        if MARK in text:
            return text
        return text.rstrip("\n") + "\n" + CMAKE_BLOCK

    patch(cmake, edit_cmake)

    stubs = os.path.join(root, "posix_stubs.cpp")

    def edit_stubs(text):
        if "g_CLR_AssemblyNative_CoreFirmware_VirtualNanoClr" in text:
            return text
        table = "const CLR_RT_NativeAssemblyData *g_CLR_InteropAssembliesNativeData[] = {"
        end = "    nullptr,\n};"
        need(text, table, stubs)
        need(text, end, stubs)
        text = text.replace(
            table,
            "// %s: CoreFirmware.VirtualNanoClr's natives (nf-targets/VirtualNanoClr/Native).\n"
            "extern const CLR_RT_NativeAssemblyData g_CLR_AssemblyNative_CoreFirmware_VirtualNanoClr;\n\n" % MARK + table,
            1)
        return text.replace(end, "    &g_CLR_AssemblyNative_CoreFirmware_VirtualNanoClr,\n" + end, 1)

    patch(stubs, edit_stubs)

    memory = os.path.join(root, "Memory.cpp")

    def edit_memory(text):
        if MARK in text:
            return text
        fixed = "    constexpr size_t c_DefaultHeapSizeBytes = 10 * 1024 * 1024;\n"
        need(text, fixed, memory)
        return text.replace(fixed, HEAP_FUNCTION, 1)

    patch(memory, edit_memory)

    startup = os.path.join(root, "CLRStartup.cpp")

    def edit_startup(text):
        if MARK in text:
            return text
        need(text, "static Settings s_ClrSettings;", startup)
        return text.rstrip("\n") + "\n" + FORGET_FUNCTION

    patch(startup, edit_startup)


if __name__ == "__main__":
    main()
