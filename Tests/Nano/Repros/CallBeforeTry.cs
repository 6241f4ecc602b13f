using System;

namespace CoreFirmware.Nano.Repros
{
    /// <summary>
    /// An exception thrown by a call that is the instruction right before a <c>try</c> (the call's
    /// return address is the try's first instruction) is handled by that try's handlers on nanoCLR,
    /// though the call is outside the try. CoreCLR gives it to the enclosing handler.
    /// </summary>
    public static class CallBeforeTry
    {
        private static int _step;

        /// <summary>Runs the checks.</summary>
        public static void Run()
        {
            Repro.Check("call-before-try.catch", "outer", CatchVariant());
            Repro.Check("call-before-try.finally-ran", "False", FinallyVariant().ToString());
            Repro.Check("call-before-try.statement-between (workaround)", "outer", WorkaroundVariant());
        }

        private static void Fail()
        {
            throw new InvalidOperationException("thrown by the call before the try");
        }

        private static void Nothing()
        {
            _step++;
        }

        private static string CatchVariant()
        {
            try
            {
                Fail();
                try
                {
                    Nothing();
                }
                catch (InvalidOperationException)
                {
                    return "inner";
                }

                return "none";
            }
            catch (InvalidOperationException)
            {
                return "outer";
            }
        }

        private static bool _finallyRan;

        private static bool FinallyVariant()
        {
            _finallyRan = false;
            try
            {
                Fail();
                try
                {
                    Nothing();
                }
                finally
                {
                    _finallyRan = true;
                }
            }
            catch (InvalidOperationException)
            {
            }

            return _finallyRan;
        }

        private static string WorkaroundVariant()
        {
            try
            {
                Fail();
                _step = 0; // a statement between the call and the try: the return address is no longer the try's start
                try
                {
                    Nothing();
                }
                catch (InvalidOperationException)
                {
                    return "inner";
                }

                return "none";
            }
            catch (InvalidOperationException)
            {
                return "outer";
            }
        }
    }
}
