using CoreFirmware.Application.Json;
using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;

namespace CoreFirmware.Nano.FirmwareTests.Json
{
    /// <summary>
    /// Checks one document of the JSONTestSuite categories (y_: must be accepted, n_: must be refused)
    /// the same way in every mode of the tokenizer: one call with tokens, count-only, and fed one byte
    /// more per call. The documents are named after the suite's files; the file names and contents are
    /// facts about JSON, the checks are ours.
    /// </summary>
    public static class JsonSuite
    {
        /// <summary>A y_ document (ASCII/BMP text): Complete in every mode, with the same tokens.</summary>
        public static void Accepts(string name, string text)
        {
            AcceptsBytes(name, Bytes.Utf8(text));
        }

        /// <summary>A y_ document given as hex bytes (non-BMP characters, raw UTF-8).</summary>
        public static void AcceptsHex(string name, string hex)
        {
            AcceptsBytes(name, Bytes.FromHex(hex));
        }

        /// <summary>An n_ document that is wrong at some byte: Invalid in every mode.</summary>
        public static void Refuses(string name, string text)
        {
            RefusesBytes(name, Bytes.Utf8(text), JsonResult.Invalid);
        }

        /// <summary>An n_ document given as hex bytes: Invalid in every mode.</summary>
        public static void RefusesHex(string name, string hex)
        {
            RefusesBytes(name, Bytes.FromHex(hex), JsonResult.Invalid);
        }

        /// <summary>
        /// An n_ document that is a valid beginning cut short: Partial in every mode (a resumable
        /// tokenizer cannot tell "cut" from "more to come"; it never says Complete).
        /// </summary>
        public static void Unfinished(string name, string text)
        {
            RefusesBytes(name, Bytes.Utf8(text), JsonResult.Partial);
        }

        /// <summary>An n_ document nested deeper than the limit: TooDeep in every mode.</summary>
        public static void TooDeep(string name, string text)
        {
            RefusesBytes(name, Bytes.Utf8(text), JsonResult.TooDeep);
        }

        private static void AcceptsBytes(string name, byte[] json)
        {
            JsonToken[] tokens;
            int count;
            Assert.AreEqual(JsonResult.Complete, JsonTesting.Parse(json, out tokens, out count), name);
            Assert.IsTrue(count >= 1, name + ": no token");
            int counted;
            Assert.AreEqual(JsonResult.Complete, JsonTesting.CountOnly(json, out counted), name + " (count-only)");
            Assert.AreEqual(count, counted, name + " (count-only token count)");
            JsonToken[] resumed;
            int resumedCount;
            Assert.AreEqual(JsonResult.Complete, JsonTesting.ByteByByte(json, out resumed, out resumedCount), name + " (byte by byte)");
            Assert.AreEqual(count, resumedCount, name + " (byte by byte token count)");
            JsonTesting.SameTokens(tokens, resumed, count, name);
        }

        private static void RefusesBytes(string name, byte[] json, JsonResult expected)
        {
            JsonToken[] tokens;
            int count;
            Assert.AreEqual(expected, JsonTesting.Parse(json, out tokens, out count), name);
            Assert.AreEqual(expected, JsonTesting.CountOnly(json, out count), name + " (count-only)");
            Assert.AreEqual(expected, JsonTesting.ByteByByte(json, out tokens, out count), name + " (byte by byte)");
        }
    }
}
