// The natives of CoreFirmware.VirtualNanoClr (nf-targets/VirtualNanoClr/Managed), built into nanoCLR.
// Each one checks its arguments, records itself as the last native call, forwards to the host's
// function (the board model in the .NET process) and turns a host failure into a managed exception
// with the host's reason. GPIO edges reported by the host (from any thread) are queued here and wake
// the managed dispatcher through a nanoCLR event. The table that maps the .pe's methods to these
// functions, with the metadata processor's checksum, is generated (corefw_hal_table.cpp).

#include "corefw_hal.h"

#include <corlib_native.h>
#include <nanoHAL_v2.h>

#include <atomic>
#include <mutex>
#include <csignal>
#include <cstring>
#include <pthread.h>
#include <unistd.h>

namespace
{
    CoreFwHalHost s_host;
    std::atomic<bool> s_attached{false};

    // ── the last native call, for a crash report (plain fields: read from a signal handler) ──
    struct NativeCall
    {
        const char *name;
        int64_t args[3];
        int argCount;
    };
    volatile NativeCall s_lastCall = {"(none)", {0, 0, 0}, 0};
    volatile int s_inHostCall = 0;
    volatile pthread_t s_interpreterThread;
    volatile int s_interpreterThreadKnown = 0;
    int s_crashReportFd = -1;

    void Record(const char *name, int argCount = 0, int64_t a = 0, int64_t b = 0, int64_t c = 0)
    {
        if (!s_interpreterThreadKnown)
        {
            s_interpreterThread = pthread_self();
            s_interpreterThreadKnown = 1;
        }
        s_lastCall.name = name;
        s_lastCall.argCount = argCount;
        s_lastCall.args[0] = a;
        s_lastCall.args[1] = b;
        s_lastCall.args[2] = c;
    }

    // A host call: marks the thread as inside the .NET host, so a fault there is the host's (the .NET
    // runtime handles its own signals) and not reported as a nanoCLR crash.
    struct InHost
    {
        InHost()
        {
            s_inHostCall = 1;
        }
        ~InHost()
        {
            s_inHostCall = 0;
        }
    };

    // ── edges: a bounded queue filled by host threads, drained by the managed dispatcher ──
    const int c_edgeQueueSize = 256;
    const int c_maxPins = 128;
    std::mutex s_edgeLock;
    int32_t s_edges[c_edgeQueueSize];
    int s_edgeHead = 0;
    int s_edgeCount = 0;
    int32_t s_droppedEdges = 0;
    bool s_watched[c_maxPins];

    bool PopEdge(int32_t &edge)
    {
        std::lock_guard<std::mutex> lock(s_edgeLock);
        if (s_edgeCount == 0)
            return false;
        edge = s_edges[s_edgeHead];
        s_edgeHead = (s_edgeHead + 1) % c_edgeQueueSize;
        s_edgeCount--;
        return true;
    }

    // ── exceptions ──
    HRESULT ThrowManaged(CLR_RT_StackFrame &stack, int32_t code, const char *typeName, const char *message)
    {
        NANOCLR_HEADER();

        CLR_RT_HeapBlock text;
        CLR_RT_TypeDef_Index cls;
        bool isHalException = false;
        bool found = false;

        text.SetObjectReference(NULL);
        CLR_RT_ProtectFromGC gcText(text);
        NANOCLR_CHECK_HRESULT(CLR_RT_HeapBlock_String::CreateInstance(text, message));

        if (typeName != NULL && typeName[0] != 0)
        {
            char ns[128];
            const char *dot = strrchr(typeName, '.');
            size_t nsLength = dot == NULL ? 0 : (size_t)(dot - typeName);
            if (nsLength < sizeof(ns))
            {
                memcpy(ns, typeName, nsLength);
                ns[nsLength] = 0;
                found = g_CLR_RT_TypeSystem.FindTypeDef(dot == NULL ? typeName : dot + 1, ns, cls) &&
                        CLR_RT_ExecutionEngine::IsInstanceOf(cls, g_CLR_RT_WellKnownTypes.m_Exception);
            }
        }
        if (!found)
        {
            found = g_CLR_RT_TypeSystem.FindTypeDef("NativeHalException", "CoreFirmware.VirtualNanoClr", cls);
            isHalException = found;
        }
        if (!found)
        {
            cls = g_CLR_RT_WellKnownTypes.m_Exception;
        }

        {
            CLR_RT_HeapBlock &exception = stack.m_owningThread->m_currentException;
            NANOCLR_CHECK_HRESULT(Library_corlib_native_System_Exception::CreateInstance(exception, cls, CLR_E_FAIL, &stack));
            CLR_RT_HeapBlock *obj = exception.Dereference();
            obj[Library_corlib_native_System_Exception::FIELD___message].SetObjectReference(text.Dereference());
            if (isHalException)
            {
                // NativeHalException._errorCode: the first field after System.Exception's four.
                obj[Library_corlib_native_System_Exception::FIELD__HResult + 1].SetInteger(code);
            }
        }

        NANOCLR_SET_AND_LEAVE(CLR_E_PROCESS_EXCEPTION);

        NANOCLR_NOCLEANUP();
    }

    // Turns a failed host call into the managed exception the host named, with "<call>: <reason>".
    HRESULT HostFailure(CLR_RT_StackFrame &stack, int32_t code)
    {
        char typeName[128] = {0};
        char reason[384] = {0};
        char message[512];
        if (s_attached.load())
        {
            InHost in;
            s_host.last_error(typeName, sizeof(typeName), reason, sizeof(reason));
        }
        typeName[sizeof(typeName) - 1] = 0;
        reason[sizeof(reason) - 1] = 0;
        snprintf(message, sizeof(message), "%s: %s", s_lastCall.name, reason[0] ? reason : "failed");
        return ThrowManaged(stack, code, typeName, message);
    }

    HRESULT NoHost(CLR_RT_StackFrame &stack)
    {
        char message[256];
        snprintf(message, sizeof(message), "%s: no board is attached to nanoCLR's HAL bridge", s_lastCall.name);
        return ThrowManaged(stack, -5, NULL, message);
    }

    // The bytes [offset, offset + count) of a byte[] argument; null array allowed when allowNull.
    HRESULT ByteRange(
        CLR_RT_StackFrame &stack,
        CLR_RT_HeapBlock &arrayArg,
        int32_t offset,
        int32_t count,
        bool allowNull,
        uint8_t *&bytes)
    {
        NANOCLR_HEADER();
        CLR_RT_HeapBlock_Array *array = arrayArg.DereferenceArray();
        bytes = NULL;
        if (array == NULL)
        {
            if (!allowNull)
                NANOCLR_SET_AND_LEAVE(CLR_E_ARGUMENT_NULL);
            NANOCLR_SET_AND_LEAVE(S_OK);
        }
        if (offset < 0 || count < 0 || (uint32_t)offset > array->m_numOfElements ||
            (uint32_t)count > array->m_numOfElements - (uint32_t)offset)
        {
            NANOCLR_SET_AND_LEAVE(CLR_E_INDEX_OUT_OF_RANGE);
        }
        bytes = array->GetFirstElement() + offset;
        (void)stack;
        NANOCLR_NOCLEANUP();
    }

    int32_t Arg4(CLR_RT_StackFrame &stack, int i)
    {
        return stack.m_arguments[i].NumericByRef().s4;
    }

    // ── crash report ──
    struct sigaction s_previous[32];
    const int c_crashSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

    void WriteText(int fd, const char *text)
    {
        if (fd >= 0)
        {
            ssize_t ignored = write(fd, text, strlen(text));
            (void)ignored;
        }
    }

    void WriteNumber(int fd, int64_t value)
    {
        char digits[24];
        int n = 0;
        bool negative = value < 0;
        uint64_t v = negative ? (uint64_t)(-value) : (uint64_t)value;
        do
        {
            digits[n++] = (char)('0' + v % 10);
            v /= 10;
        } while (v != 0 && n < 20);
        char text[24];
        int at = 0;
        if (negative)
            text[at++] = '-';
        while (n > 0)
            text[at++] = digits[--n];
        text[at] = 0;
        WriteText(fd, text);
    }

    void WriteReport(int fd, int signal)
    {
        WriteText(fd, "nanoCLR crashed: signal ");
        WriteNumber(fd, signal);
        WriteText(fd, signal == SIGSEGV ? " (SIGSEGV)" : signal == SIGABRT ? " (SIGABRT)" : signal == SIGBUS ? " (SIGBUS)" : "");
        WriteText(fd, "; last native call: ");
        WriteText(fd, s_lastCall.name);
        WriteText(fd, "(");
        for (int i = 0; i < s_lastCall.argCount && i < 3; i++)
        {
            if (i > 0)
                WriteText(fd, ", ");
            WriteNumber(fd, s_lastCall.args[i]);
        }
        WriteText(fd, ")\n");
    }

    void OnCrashSignal(int signal, siginfo_t *info, void *context)
    {
        bool ours = s_interpreterThreadKnown && pthread_equal(pthread_self(), s_interpreterThread) && !s_inHostCall;
        if (ours)
        {
            WriteReport(2, signal);
            WriteReport(s_crashReportFd, signal);
        }
        // Hand the signal on: the .NET runtime's handler (a fault in managed code is its business; in
        // ours it ends the process, which is what a crashed MCU does).
        struct sigaction &previous = s_previous[signal];
        if (previous.sa_flags & SA_SIGINFO)
        {
            if (previous.sa_sigaction != NULL)
            {
                previous.sa_sigaction(signal, info, context);
                return;
            }
        }
        else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN && previous.sa_handler != NULL)
        {
            previous.sa_handler(signal);
            return;
        }
        if (previous.sa_handler == SIG_IGN)
            return;
        // Default action: reinstall it; a fault happens again on return, an abort is raised again.
        struct sigaction dfl;
        memset(&dfl, 0, sizeof(dfl));
        dfl.sa_handler = SIG_DFL;
        sigaction(signal, &dfl, NULL);
        if (signal == SIGABRT)
            raise(SIGABRT);
    }

    void InstallCrashReport()
    {
        static bool installed = false;
        if (installed)
            return;
        installed = true;
        for (int signal : c_crashSignals)
        {
            struct sigaction action;
            memset(&action, 0, sizeof(action));
            action.sa_sigaction = OnCrashSignal;
            action.sa_flags = SA_SIGINFO | SA_ONSTACK;
            sigemptyset(&action.sa_mask);
            sigaction(signal, &action, &s_previous[signal]);
        }
    }
} // namespace

// ── exports to the host ──────────────────────────────────────────────────────────────────────────────

int32_t CoreFwHal_Attach(const CoreFwHalHost *host, int32_t crashReportFd)
{
    if (host == NULL)
    {
        s_attached.store(false);
        return 0;
    }
    s_host = *host;
    s_crashReportFd = crashReportFd;
    {
        std::lock_guard<std::mutex> lock(s_edgeLock);
        s_edgeHead = 0;
        s_edgeCount = 0;
        s_droppedEdges = 0;
        memset(s_watched, 0, sizeof(s_watched));
    }
    s_interpreterThreadKnown = 0;
    s_attached.store(true);
    InstallCrashReport();
    return 0;
}

int32_t CoreFwHal_RaiseEdge(int32_t pin, int32_t rising)
{
    if (pin < 0 || pin >= c_maxPins)
        return -3;
    {
        std::lock_guard<std::mutex> lock(s_edgeLock);
        if (!s_watched[pin])
            return 0;
        if (s_edgeCount == c_edgeQueueSize)
        {
            s_droppedEdges++;
            return -1;
        }
        s_edges[(s_edgeHead + s_edgeCount) % c_edgeQueueSize] = pin * 2 + (rising ? 1 : 0);
        s_edgeCount++;
    }
    // Wakes the interpreter; its ProcessActivity turns the radio flag into Event_Radio for the dispatcher.
    Events_Set(SYSTEM_EVENT_FLAG_RADIO);
    return 1;
}

void CoreFwHal_RequestExit(void)
{
    // From a host thread while the interpreter runs: an atomic OR, so at worst the interpreter's own
    // non-atomic update of the word loses it, and the host asks again.
    __atomic_fetch_or(
        (int *)&g_CLR_RT_ExecutionEngine.m_iDebugger_Conditions,
        CLR_RT_ExecutionEngine::c_fDebugger_ExitPending,
        __ATOMIC_SEQ_CST);
    Events_Set(SYSTEM_EVENT_FLAG_RADIO);
}

int32_t CoreFwHal_LastNativeCall(char *buffer, int32_t capacity)
{
    if (buffer == NULL || capacity <= 0)
        return -3;
    int n = snprintf(buffer, (size_t)capacity, "%s(", s_lastCall.name);
    for (int i = 0; i < s_lastCall.argCount && i < 3 && n < capacity; i++)
        n += snprintf(buffer + n, (size_t)(capacity - n), i == 0 ? "%lld" : ", %lld", (long long)s_lastCall.args[i]);
    if (n < capacity)
        n += snprintf(buffer + n, (size_t)(capacity - n), ")");
    return n;
}

int32_t CoreFwHal_HeapStatus(int64_t *totalBytes, int64_t *freeBytes)
{
    if (totalBytes != NULL)
        *totalBytes = g_CLR_RT_GarbageCollector.m_totalBytes;
    if (freeBytes != NULL)
        *freeBytes = g_CLR_RT_GarbageCollector.m_freeBytes;
    return 0;
}

// ── the natives ──────────────────────────────────────────────────────────────────────────────────────

#define COREFW_CALL_HOST(expr)                                                                                         \
    if (!s_attached.load())                                                                                            \
        NANOCLR_SET_AND_LEAVE(NoHost(stack));                                                                          \
    {                                                                                                                  \
        InHost in;                                                                                                     \
        result = (expr);                                                                                               \
    }                                                                                                                  \
    if (result < 0)                                                                                                    \
        NANOCLR_SET_AND_LEAVE(HostFailure(stack, (int32_t)result));

HRESULT CoreFwHal_NativeSpi_Open(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    Record("NativeSpi.Open", 2, Arg4(stack, 0), Arg4(stack, 1));
    COREFW_CALL_HOST(s_host.spi_open(Arg4(stack, 0), Arg4(stack, 1), Arg4(stack, 2), Arg4(stack, 3)));
    stack.SetResult_I4(result);
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeSpi_SetSelected(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    int32_t selected = stack.Arg1().NumericByRef().u1 != 0 ? 1 : 0;
    Record("NativeSpi.SetSelected", 2, Arg4(stack, 0), selected);
    COREFW_CALL_HOST(s_host.spi_select(Arg4(stack, 0), selected));
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeSpi_Transfer(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    uint8_t *write;
    uint8_t *read;
    int32_t count = Arg4(stack, 5);
    Record("NativeSpi.Transfer", 2, Arg4(stack, 0), count);
    NANOCLR_CHECK_HRESULT(ByteRange(stack, stack.Arg1(), Arg4(stack, 2), count, true, write));
    NANOCLR_CHECK_HRESULT(ByteRange(stack, stack.Arg3(), Arg4(stack, 4), count, true, read));
    COREFW_CALL_HOST(s_host.spi_transfer(Arg4(stack, 0), write, read, count));
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeGpio_SetMode(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    Record("NativeGpio.SetMode", 2, Arg4(stack, 0), Arg4(stack, 1));
    COREFW_CALL_HOST(s_host.gpio_set_mode(Arg4(stack, 0), Arg4(stack, 1)));
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeGpio_Read(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    Record("NativeGpio.Read", 1, Arg4(stack, 0));
    COREFW_CALL_HOST(s_host.gpio_read(Arg4(stack, 0)));
    stack.SetResult_I4(result);
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeGpio_Write(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    Record("NativeGpio.Write", 2, Arg4(stack, 0), Arg4(stack, 1));
    COREFW_CALL_HOST(s_host.gpio_write(Arg4(stack, 0), Arg4(stack, 1)));
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeGpio_WatchEdges(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    int32_t pin = Arg4(stack, 0);
    int32_t watch = stack.Arg1().NumericByRef().u1 != 0 ? 1 : 0;
    Record("NativeGpio.WatchEdges", 2, pin, watch);
    if (pin < 0 || pin >= c_maxPins)
        NANOCLR_SET_AND_LEAVE(CLR_E_OUT_OF_RANGE);
    {
        std::lock_guard<std::mutex> lock(s_edgeLock);
        s_watched[pin] = watch != 0;
    }
    COREFW_CALL_HOST(s_host.gpio_watch(pin, watch));
    NANOCLR_NOCLEANUP();
}

// Blocks the calling managed thread (not the interpreter) until an edge is queued or the time runs
// out: the thread waits on Event_Radio, which CoreFwHal_RaiseEdge raises through the system event flag.
// nanoCLR calls this again when the thread wakes; the deadline stays on the frame's evaluation stack.
HRESULT CoreFwHal_NativeGpio_WaitForEdge(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    CLR_RT_HeapBlock hbTimeout;
    CLR_INT64 *timeout;
    bool waiting = true;
    int32_t edge = -1;
    int32_t milliseconds = Arg4(stack, 0);
    Record("NativeGpio.WaitForEdge", 1, milliseconds);
    if (milliseconds < 0)
        NANOCLR_SET_AND_LEAVE(CLR_E_OUT_OF_RANGE);

    hbTimeout.SetInteger((CLR_INT64)milliseconds * TIME_CONVERSION__TO_MILLISECONDS);
    NANOCLR_CHECK_HRESULT(stack.SetupTimeoutFromTicks(hbTimeout, timeout));

    while (waiting)
    {
        if (PopEdge(edge))
            break;
        edge = -1;
        NANOCLR_CHECK_HRESULT(g_CLR_RT_ExecutionEngine.WaitEvents(stack.m_owningThread, *timeout, Event_Radio, waiting));
    }

    stack.PopValue();
    stack.SetResult_I4(edge);
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeGpio_DroppedEdges(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t dropped;
    {
        std::lock_guard<std::mutex> lock(s_edgeLock);
        dropped = s_droppedEdges;
    }
    stack.SetResult_I4(dropped);
    NANOCLR_NOCLEANUP_NOLABEL();
}

HRESULT CoreFwHal_NativeClock_UptimeTicks(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int64_t result;
    Record("NativeClock.UptimeTicks");
    COREFW_CALL_HOST(s_host.clock_ticks());
    stack.SetResult_I8(result);
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeInternalFlash_Size(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    Record("NativeInternalFlash.Size");
    COREFW_CALL_HOST(s_host.flash_geometry(0));
    stack.SetResult_I4(result);
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeInternalFlash_PageSize(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    Record("NativeInternalFlash.PageSize");
    COREFW_CALL_HOST(s_host.flash_geometry(1));
    stack.SetResult_I4(result);
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeInternalFlash_Read(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    uint8_t *buffer;
    int32_t count = Arg4(stack, 3);
    Record("NativeInternalFlash.Read", 2, Arg4(stack, 0), count);
    NANOCLR_CHECK_HRESULT(ByteRange(stack, stack.Arg1(), Arg4(stack, 2), count, false, buffer));
    COREFW_CALL_HOST(s_host.flash_read(Arg4(stack, 0), buffer, count));
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeInternalFlash_ErasePage(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    Record("NativeInternalFlash.ErasePage", 1, Arg4(stack, 0));
    COREFW_CALL_HOST(s_host.flash_erase(Arg4(stack, 0)));
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeInternalFlash_Program(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    uint8_t *data;
    int32_t count = Arg4(stack, 3);
    Record("NativeInternalFlash.Program", 2, Arg4(stack, 0), count);
    NANOCLR_CHECK_HRESULT(ByteRange(stack, stack.Arg1(), Arg4(stack, 2), count, false, data));
    COREFW_CALL_HOST(s_host.flash_program(Arg4(stack, 0), data, count));
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeWatchdog_Start(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    Record("NativeWatchdog.Start", 1, Arg4(stack, 0));
    COREFW_CALL_HOST(s_host.watchdog(0, Arg4(stack, 0)));
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeWatchdog_Feed(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    Record("NativeWatchdog.Feed");
    COREFW_CALL_HOST(s_host.watchdog(1, 0));
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeWatchdog_IsRunning(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    Record("NativeWatchdog.IsRunning");
    COREFW_CALL_HOST(s_host.watchdog(2, 0));
    stack.SetResult_Boolean(result != 0);
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeWatchdog_LastResetWasWatchdog(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    Record("NativeWatchdog.LastResetWasWatchdog");
    COREFW_CALL_HOST(s_host.watchdog(3, 0));
    stack.SetResult_Boolean(result != 0);
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeSerial_Write(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    uint8_t *data;
    int32_t count = Arg4(stack, 3);
    Record("NativeSerial.Write", 2, Arg4(stack, 0), count);
    NANOCLR_CHECK_HRESULT(ByteRange(stack, stack.Arg1(), Arg4(stack, 2), count, false, data));
    COREFW_CALL_HOST(s_host.serial_write(Arg4(stack, 0), data, count));
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeRgbLed_SetColor(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    Record("NativeRgbLed.SetColor", 3, Arg4(stack, 0), Arg4(stack, 1), Arg4(stack, 2));
    COREFW_CALL_HOST(s_host.led_set(Arg4(stack, 0) & 0xFF, Arg4(stack, 1) & 0xFF, Arg4(stack, 2) & 0xFF));
    NANOCLR_NOCLEANUP();
}

// Operation in Arg0, then four (array, offset, count) ranges; a null array passes NULL and 0.
HRESULT CoreFwHal_NativeCrypto_Invoke(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    uint8_t *range[4];
    int32_t count[4];
    int32_t operation = Arg4(stack, 0);
    Record("NativeCrypto.Invoke", 2, operation, Arg4(stack, 6));
    for (int i = 0; i < 4; i++)
    {
        int arg = 1 + 3 * i;
        count[i] = Arg4(stack, arg + 2);
        NANOCLR_CHECK_HRESULT(ByteRange(stack, stack.m_arguments[arg], Arg4(stack, arg + 1), count[i], true, range[i]));
        if (range[i] == NULL)
            count[i] = 0;
    }
    // A crypto result below zero is a CryptoStatus code for the firmware, not a failure of the call:
    // only the host's own failure (ModelFault and below, when it threw) becomes an exception.
    if (!s_attached.load())
        NANOCLR_SET_AND_LEAVE(NoHost(stack));
    {
        InHost in;
        result = s_host.crypto(operation, range[0], count[0], range[1], count[1], range[2], count[2], range[3], count[3]);
    }
    if (result <= -1000)
        NANOCLR_SET_AND_LEAVE(HostFailure(stack, result + 1000));
    stack.SetResult_I4(result);
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeBoard_Setting(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    int32_t value = 0;
    Record("NativeBoard.Setting", 1, Arg4(stack, 0));
    COREFW_CALL_HOST(s_host.setting(Arg4(stack, 0), &value));
    stack.SetResult_I4(value);
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeBoard_SettingText(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    uint8_t *buffer;
    CLR_RT_HeapBlock_Array *array = stack.Arg1().DereferenceArray();
    int32_t capacity = array == NULL ? 0 : (int32_t)array->m_numOfElements;
    Record("NativeBoard.SettingText", 2, Arg4(stack, 0), capacity);
    NANOCLR_CHECK_HRESULT(ByteRange(stack, stack.Arg1(), 0, capacity, false, buffer));
    COREFW_CALL_HOST(s_host.setting_text(Arg4(stack, 0), buffer, capacity));
    stack.SetResult_I4(result);
    NANOCLR_NOCLEANUP();
}

HRESULT CoreFwHal_NativeBoard_Reset(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int32_t result;
    const char *reason = stack.Arg0().RecoverString();
    Record("NativeBoard.Reset");
    COREFW_CALL_HOST(s_host.reset(reason == NULL ? "" : reason));
    NANOCLR_NOCLEANUP();
}
