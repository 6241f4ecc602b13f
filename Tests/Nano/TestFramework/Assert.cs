using System;

namespace CoreFirmware.Nano.TestFramework
{
    /// <summary>
    /// The checks a test makes. Each one that fails throws <see cref="AssertFailedException"/> with
    /// what was expected, what was found and the optional message. No generics (nanoFramework 1.x has
    /// none): one overload per type the tests compare, and <see cref="AreEqual(object, object)"/> for
    /// enums and other values.
    /// </summary>
    public static class Assert
    {
        /// <summary>Fails unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
        public static void AreEqual(int expected, int actual)
        {
            if (expected != actual) Fail(Expected(expected.ToString(), actual.ToString(), null));
        }

        /// <summary>Fails unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
        public static void AreEqual(int expected, int actual, string message)
        {
            if (expected != actual) Fail(Expected(expected.ToString(), actual.ToString(), message));
        }

        /// <summary>Fails unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
        public static void AreEqual(long expected, long actual)
        {
            if (expected != actual) Fail(Expected(expected.ToString(), actual.ToString(), null));
        }

        /// <summary>Fails unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
        public static void AreEqual(long expected, long actual, string message)
        {
            if (expected != actual) Fail(Expected(expected.ToString(), actual.ToString(), message));
        }

        /// <summary>Fails unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
        public static void AreEqual(uint expected, uint actual)
        {
            if (expected != actual) Fail(Expected(Hex(expected), Hex(actual), null));
        }

        /// <summary>Fails unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
        public static void AreEqual(uint expected, uint actual, string message)
        {
            if (expected != actual) Fail(Expected(Hex(expected), Hex(actual), message));
        }

        /// <summary>Fails unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
        public static void AreEqual(byte expected, byte actual)
        {
            if (expected != actual) Fail(Expected(Hex(expected), Hex(actual), null));
        }

        /// <summary>Fails unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
        public static void AreEqual(byte expected, byte actual, string message)
        {
            if (expected != actual) Fail(Expected(Hex(expected), Hex(actual), message));
        }

        /// <summary>Fails unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
        public static void AreEqual(bool expected, bool actual)
        {
            if (expected != actual) Fail(Expected(expected.ToString(), actual.ToString(), null));
        }

        /// <summary>Fails unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
        public static void AreEqual(bool expected, bool actual, string message)
        {
            if (expected != actual) Fail(Expected(expected.ToString(), actual.ToString(), message));
        }

        /// <summary>Fails unless the strings are equal, character for character (null equals only null).</summary>
        public static void AreEqual(string expected, string actual)
        {
            AreEqual(expected, actual, null);
        }

        /// <summary>Fails unless the strings are equal, character for character (null equals only null).</summary>
        public static void AreEqual(string expected, string actual, string message)
        {
            if (!SameString(expected, actual)) Fail(Expected(Quote(expected), Quote(actual), message));
        }

        /// <summary>Fails unless the doubles are exactly equal (both NaN counts as equal).</summary>
        public static void AreEqual(double expected, double actual)
        {
            AreEqual(expected, actual, 0.0, null);
        }

        /// <summary>Fails unless <paramref name="actual"/> is within <paramref name="delta"/> of <paramref name="expected"/>.</summary>
        public static void AreEqual(double expected, double actual, double delta)
        {
            AreEqual(expected, actual, delta, null);
        }

        /// <summary>Fails unless <paramref name="actual"/> is within <paramref name="delta"/> of <paramref name="expected"/>.</summary>
        public static void AreEqual(double expected, double actual, double delta, string message)
        {
            bool bothNaN = double.IsNaN(expected) && double.IsNaN(actual);
            if (bothNaN || expected == actual) return;
            double diff = expected - actual;
            if (diff < 0) diff = -diff;
            if (!(diff <= delta)) Fail(Expected(expected.ToString(), actual.ToString(), message));
        }

        /// <summary>
        /// Fails unless the two values are equal by <see cref="object.Equals(object)"/>: for enums
        /// and other values without an overload here (both boxed; null equals only null).
        /// </summary>
        public static void AreEqual(object expected, object actual)
        {
            AreEqual(expected, actual, null);
        }

        /// <summary>Fails unless the two values are equal by <see cref="object.Equals(object)"/>.</summary>
        public static void AreEqual(object expected, object actual, string message)
        {
            bool same = expected == null ? actual == null : expected.Equals(actual);
            if (!same) Fail(Expected(Text(expected), Text(actual), message));
        }

        /// <summary>Fails unless both arrays hold the same bytes (null equals only null).</summary>
        public static void AreEqual(byte[] expected, byte[] actual)
        {
            AreEqual(expected, actual, null);
        }

        /// <summary>Fails unless both arrays hold the same bytes (null equals only null).</summary>
        public static void AreEqual(byte[] expected, byte[] actual, string message)
        {
            if (expected == null || actual == null)
            {
                if (expected != actual) Fail(Expected(expected == null ? "null" : "an array", actual == null ? "null" : "an array", message));
                return;
            }

            if (expected.Length != actual.Length)
            {
                Fail(Expected(expected.Length.ToString() + " bytes", actual.Length.ToString() + " bytes", message));
            }

            AreEqual(expected, 0, actual, 0, expected.Length, message);
        }

        /// <summary>Fails unless expected[eOffset..+count) equals actual[aOffset..+count), naming the first difference.</summary>
        public static void AreEqual(byte[] expected, int expectedOffset, byte[] actual, int actualOffset, int count, string message)
        {
            for (int i = 0; i < count; i++)
            {
                byte e = expected[expectedOffset + i];
                byte a = actual[actualOffset + i];
                if (e != a)
                {
                    Fail(Expected(Hex(e), Hex(a), Join("at byte " + i.ToString(), message)));
                }
            }
        }

        /// <summary>Fails unless the two values differ.</summary>
        public static void AreNotEqual(int notExpected, int actual, string message)
        {
            if (notExpected == actual) Fail(Join("expected anything but " + notExpected.ToString(), message));
        }

        /// <summary>Fails unless the two strings differ.</summary>
        public static void AreNotEqual(string notExpected, string actual, string message)
        {
            if (SameString(notExpected, actual)) Fail(Join("expected anything but " + Quote(notExpected), message));
        }

        /// <summary>Fails unless <paramref name="condition"/> is true.</summary>
        public static void IsTrue(bool condition)
        {
            if (!condition) Fail("expected true");
        }

        /// <summary>Fails unless <paramref name="condition"/> is true.</summary>
        public static void IsTrue(bool condition, string message)
        {
            if (!condition) Fail(Join("expected true", message));
        }

        /// <summary>Fails unless <paramref name="condition"/> is false.</summary>
        public static void IsFalse(bool condition)
        {
            if (condition) Fail("expected false");
        }

        /// <summary>Fails unless <paramref name="condition"/> is false.</summary>
        public static void IsFalse(bool condition, string message)
        {
            if (condition) Fail(Join("expected false", message));
        }

        /// <summary>Fails unless <paramref name="value"/> is null.</summary>
        public static void IsNull(object value)
        {
            if (value != null) Fail("expected null, got " + Text(value));
        }

        /// <summary>Fails unless <paramref name="value"/> is null.</summary>
        public static void IsNull(object value, string message)
        {
            if (value != null) Fail(Join("expected null, got " + Text(value), message));
        }

        /// <summary>Fails when <paramref name="value"/> is null.</summary>
        public static void IsNotNull(object value)
        {
            if (value == null) Fail("expected a value, got null");
        }

        /// <summary>Fails when <paramref name="value"/> is null.</summary>
        public static void IsNotNull(object value, string message)
        {
            if (value == null) Fail(Join("expected a value, got null", message));
        }

        /// <summary>Fails unless <paramref name="text"/> contains <paramref name="part"/>.</summary>
        public static void Contains(string part, string text)
        {
            if (text == null || part == null || text.IndexOf(part) < 0) Fail("expected " + Quote(text) + " to contain " + Quote(part));
        }

        /// <summary>
        /// Runs <paramref name="action"/> and fails unless it throws an exception of
        /// <paramref name="exceptionType"/> or of a type derived from it. Returns the exception.
        /// </summary>
        public static Exception Throws(Type exceptionType, Action action)
        {
            return Throws(exceptionType, action, null);
        }

        /// <summary>
        /// Runs <paramref name="action"/> and fails unless it throws an exception of
        /// <paramref name="exceptionType"/> or of a type derived from it. Returns the exception.
        /// </summary>
        public static Exception Throws(Type exceptionType, Action action, string message)
        {
            if (exceptionType == null) throw new ArgumentNullException("exceptionType");
            if (action == null) throw new ArgumentNullException("action");
            Exception caught = null;
            try
            {
                action();
            }
            catch (Exception e)
            {
                caught = e;
            }

            if (caught == null) Fail(Join("expected " + exceptionType.FullName + ", nothing was thrown", message));
            if (!exceptionType.IsInstanceOfType(caught))
            {
                Fail(Join("expected " + exceptionType.FullName + ", got " + caught.GetType().FullName + ": " + caught.Message, message));
            }

            return caught;
        }

        /// <summary>Fails the test with <paramref name="message"/>.</summary>
        public static void Fail(string message)
        {
            throw new AssertFailedException(message);
        }

        private static string Expected(string expected, string actual, string message)
        {
            return Join("expected " + expected + ", got " + actual, message);
        }

        private static string Join(string what, string message)
        {
            return message == null || message.Length == 0 ? what : what + " (" + message + ")";
        }

        private static bool SameString(string a, string b)
        {
            if (a == null || b == null) return (object)a == (object)b;
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++)
            {
                if (a[i] != b[i]) return false;
            }

            return true;
        }

        private static string Quote(string s)
        {
            return s == null ? "null" : "\"" + s + "\"";
        }

        private static string Text(object o)
        {
            return o == null ? "null" : o.ToString();
        }

        private static string Hex(uint value)
        {
            return value.ToString() + " (0x" + value.ToString("X8") + ")";
        }

        private static string Hex(byte value)
        {
            return "0x" + value.ToString("X2");
        }
    }
}
