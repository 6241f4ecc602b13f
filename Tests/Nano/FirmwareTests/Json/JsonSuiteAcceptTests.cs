using CoreFirmware.Nano.TestFramework;

namespace CoreFirmware.Nano.FirmwareTests.Json
{
    /// <summary>JSONTestSuite y_ documents (must be accepted), by the suite's groups.</summary>
    [TestClass]
    public class JsonSuiteAcceptTests
    {
        [TestMethod]
        public void Arrays()
        {
            JsonSuite.Accepts("y_array_arraysWithSpaces", "[[]   ]");
            JsonSuite.Accepts("y_array_empty", "[]");
            JsonSuite.Accepts("y_array_empty-string", "[\"\"]");
            JsonSuite.Accepts("y_array_ending_with_newline", "[\"a\"]\n");
            JsonSuite.Accepts("y_array_false", "[false]");
            JsonSuite.Accepts("y_array_heterogeneous", "[null, 1, \"1\", {}]");
            JsonSuite.Accepts("y_array_null", "[null]");
            JsonSuite.Accepts("y_array_with_1_and_newline", "[1\n]");
            JsonSuite.Accepts("y_array_with_leading_space", " [1]");
            JsonSuite.Accepts("y_array_with_several_null", "[1,null,null,null,2]");
            JsonSuite.Accepts("y_array_with_trailing_space", "[2] ");
        }

        [TestMethod]
        public void Numbers()
        {
            string[] docs =
            {
                "[123e65]", "[0e+1]", "[0e1]", "[ 4]", "[-0.000000000000000000000000000000000000000000000000000000000000001]",
                "[20e1]", "[-0]", "[-123]", "[-1]", "[-0]", "[1E22]", "[1E-2]", "[1E+2]", "[123e45]", "[123.456e78]",
                "[1e-2]", "[1e+2]", "[123]", "[123.456789]", "[1.0e+28]", "[100000000000000000000]",
                "[-237462374673276894279832749832423479823246327846]", "[1.5e999]", "[0.4e00669999999999999999999999]",
            };
            for (int i = 0; i < docs.Length; i++) JsonSuite.Accepts("y_number " + docs[i], docs[i]);
            JsonSuite.Accepts("y_structure_lonely_int", "42");
            JsonSuite.Accepts("y_structure_lonely_negative_real", "-0.1");
            JsonSuite.Accepts("y_number_simple_real", "[123.456789]");
        }

        [TestMethod]
        public void Objects()
        {
            JsonSuite.Accepts("y_object", "{\"asd\":\"sdf\", \"dfg\":\"fgh\"}");
            JsonSuite.Accepts("y_object_basic", "{\"asd\":\"sdf\"}");
            JsonSuite.Accepts("y_object_duplicated_key", "{\"a\":\"b\",\"a\":\"c\"}");
            JsonSuite.Accepts("y_object_duplicated_key_and_value", "{\"a\":\"b\",\"a\":\"b\"}");
            JsonSuite.Accepts("y_object_empty", "{}");
            JsonSuite.Accepts("y_object_empty_key", "{\"\":0}");
            JsonSuite.Accepts("y_object_escaped_null_in_key", "{\"foo\\u0000bar\": 42}");
            JsonSuite.Accepts("y_object_extreme_numbers", "{ \"min\": -1.0e+28, \"max\": 1.0e+28 }");
            JsonSuite.Accepts("y_object_long_strings", "{\"x\":[{\"id\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}], \"id\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}");
            JsonSuite.Accepts("y_object_simple", "{\"a\":[]}");
            JsonSuite.Accepts("y_object_string_unicode", "{\"title\":\"\\u041f\\u043e\\u043b\\u0442\\u043e\\u0440\\u0430 \\u0417\\u0435\\u043c\\u043b\\u0435\\u043a\\u043e\\u043f\\u0430\" }");
            JsonSuite.Accepts("y_object_with_newlines", "{\n\"a\": \"b\"\n}");
        }

        [TestMethod]
        public void StringsAndEscapes()
        {
            JsonSuite.Accepts("y_string_1_2_3_bytes_UTF-8_sequences", "[\"\\u0060\\u012a\\u12AB\"]");
            JsonSuite.Accepts("y_string_accepted_surrogate_pair", "[\"\\uD801\\udc37\"]");
            JsonSuite.Accepts("y_string_accepted_surrogate_pairs", "[\"\\ud83d\\ude39\\ud83d\\udc8d\"]");
            JsonSuite.Accepts("y_string_allowed_escapes", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]");
            JsonSuite.Accepts("y_string_backslash_and_u_escaped_zero", "[\"\\\\u0000\"]");
            JsonSuite.Accepts("y_string_backslash_doublequotes", "[\"\\\"\"]");
            JsonSuite.Accepts("y_string_comments", "[\"a/*b*/c/*d//e\"]");
            JsonSuite.Accepts("y_string_double_escape_a", "[\"\\\\a\"]");
            JsonSuite.Accepts("y_string_double_escape_n", "[\"\\\\n\"]");
            JsonSuite.Accepts("y_string_escaped_control_character", "[\"\\u0012\"]");
            JsonSuite.Accepts("y_string_escaped_noncharacter", "[\"\\uFFFF\"]");
            JsonSuite.Accepts("y_string_in_array", "[\"asd\"]");
            JsonSuite.Accepts("y_string_in_array_with_leading_space", "[ \"asd\"]");
            JsonSuite.Accepts("y_string_last_surrogates_1_and_2", "[\"\\uDBFF\\uDFFF\"]");
            JsonSuite.Accepts("y_string_nbsp_uescaped", "[\"new\\u00A0line\"]");
            JsonSuite.Accepts("y_string_null_escape", "[\"\\u0000\"]");
            JsonSuite.Accepts("y_string_one-byte-utf-8", "[\"\\u002c\"]");
            JsonSuite.Accepts("y_string_pi", "[\"\u03c0\"]");
            JsonSuite.Accepts("y_string_simple_ascii", "[\"asd \"]");
            JsonSuite.Accepts("y_string_space", "\" \"");
            JsonSuite.Accepts("y_string_uEscape", "[\"\\u0061\\u30af\\u30EA\\u30b9\"]");
            JsonSuite.Accepts("y_string_uescaped_newline", "[\"new\\u000Aline\"]");
            JsonSuite.Accepts("y_string_unescaped_char_delete", "[\"a\u007fa\"]");
            JsonSuite.Accepts("y_string_unicode_U+FDD0_nonchar", "[\"\\uFDD0\"]");
            JsonSuite.Accepts("y_string_u+2028_line_sep", "[\"\u2028\"]");
            JsonSuite.Accepts("y_string_with_del_character", "[\"a\u007fa\"]");
            JsonSuite.Accepts("y_string_three-byte-utf-8", "[\"\u0821\"]");
            JsonSuite.Accepts("y_string_utf8", "[\"\u20ac\"]");
            // Non-BMP text as UTF-8 bytes (nanoCLR loses a string literal's low surrogate: Tests/Nano/Repros).
            JsonSuite.AcceptsHex("y_string_unicode_U+1FFFE_nonchar", "5b22f09fbfbe225d");
            JsonSuite.AcceptsHex("y_string_unicode_U+10FFFE_nonchar", "5b22f48fbfbe225d");
            JsonSuite.AcceptsHex("y_string_utf8 (euro, G clef)", "5b22e282acf09d849e225d");
        }

        [TestMethod]
        public void Structure()
        {
            JsonSuite.Accepts("y_structure_lonely_false", "false");
            JsonSuite.Accepts("y_structure_lonely_null", "null");
            JsonSuite.Accepts("y_structure_lonely_string", "\"asd\"");
            JsonSuite.Accepts("y_structure_lonely_true", "true");
            JsonSuite.Accepts("y_structure_string_empty", "\"\"");
            JsonSuite.Accepts("y_structure_trailing_newline", "[\"a\"]\n");
            JsonSuite.Accepts("y_structure_true_in_array", "[true]");
            JsonSuite.Accepts("y_structure_whitespace_array", " [] ");
            JsonSuite.Accepts("y_structure_whitespace_all_kinds", "\t\r\n [ \t\r\n 1 \t\r\n ] \t\r\n");
            JsonSuite.Accepts("nested 32 deep (the limit)", JsonTesting.Nest(32));
        }
    }
}
