namespace CoreFirmware.Fuzz.Engine;

/// <summary>
/// While a run lasts, an exception that escapes on another thread (a target's worker thread, such
/// as the CC3000 driver's) ends the process as it would end the device's thread; before that
/// happens, this prints the input being run and saves it as fuzz-crash-&lt;target&gt;.bin in the
/// current folder, so the crash can be replayed.
/// </summary>
public static class CrashGuard
{
    public static T Run<T>(FuzzRunner runner, Func<T> run)
    {
        void OnUnhandled(object sender, UnhandledExceptionEventArgs e)
        {
            byte[] input = runner.CurrentInput;
            string file = Path.GetFullPath($"fuzz-crash-{runner.TargetName}.bin");
            try
            {
                File.WriteAllBytes(file, input);
            }
            catch (IOException)
            {
                file = "(not saved)";
            }

            Console.Error.WriteLine($"fuzz: unhandled exception on a target thread while running an input of {input.Length} bytes, saved to {file}:");
            Console.Error.WriteLine(Convert.ToHexString(input));
            Console.Error.WriteLine(e.ExceptionObject);
        }

        AppDomain.CurrentDomain.UnhandledException += OnUnhandled;
        try
        {
            return run();
        }
        finally
        {
            AppDomain.CurrentDomain.UnhandledException -= OnUnhandled;
        }
    }
}
