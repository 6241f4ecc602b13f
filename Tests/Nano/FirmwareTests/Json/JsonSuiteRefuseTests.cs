using CoreFirmware.Nano.TestFramework;

namespace CoreFirmware.Nano.FirmwareTests.Json
{
    /// <summary>
    /// JSONTestSuite n_ documents (must be refused): Invalid where a byte is wrong, Partial where the
    /// document is a valid beginning cut short, TooDeep past the nesting limit; never Complete.
    /// </summary>
    [TestClass]
    public class JsonSuiteRefuseTests
    {
        [TestMethod]
        public void Arrays()
        {
            JsonSuite.Refuses("n_array_1_true_without_comma", "[1 true]");
            JsonSuite.Refuses("n_array_colon_instead_of_comma", "[\"\": 1]");
            JsonSuite.Refuses("n_array_comma_after_close", "[\"\"],");
            JsonSuite.Refuses("n_array_comma_and_number", "[,1]");
            JsonSuite.Refuses("n_array_double_comma", "[1,,2]");
            JsonSuite.Refuses("n_array_double_extra_comma", "[\"x\",,]");
            JsonSuite.Refuses("n_array_extra_close", "[\"x\"]]");
            JsonSuite.Refuses("n_array_extra_comma", "[\"\",]");
            JsonSuite.Refuses("n_array_incomplete_invalid_value", "[x");
            JsonSuite.Refuses("n_array_inner_array_no_comma", "[3[4]]");
            JsonSuite.Refuses("n_array_items_separated_by_semicolon", "[1:2]");
            JsonSuite.Refuses("n_array_just_comma", "[,]");
            JsonSuite.Refuses("n_array_just_minus", "[-]");
            JsonSuite.Refuses("n_array_missing_value", "[   , \"\"]");
            JsonSuite.Refuses("n_array_number_and_comma", "[1,]");
            JsonSuite.Refuses("n_array_number_and_several_commas", "[1,,]");
            JsonSuite.Refuses("n_array_star_inside", "[*]");
            JsonSuite.Refuses("n_array_newlines_unclosed then garbage", "[\"a\",\n4\n,1,x");
        }

        [TestMethod]
        public void UnfinishedArraysAndObjects()
        {
            JsonSuite.Unfinished("n_array_incomplete", "[\"x\"");
            JsonSuite.Unfinished("n_array_unclosed", "[\"\"");
            JsonSuite.Unfinished("n_array_unclosed_trailing_comma", "[1,");
            JsonSuite.Unfinished("n_array_unclosed_with_new_lines", "[1,\n1\n,1");
            JsonSuite.Unfinished("n_array_unclosed_with_object_inside", "[{}");
            JsonSuite.Unfinished("n_object_unterminated-value", "{\"a\":\"a");
            JsonSuite.Unfinished("n_object_missing_value", "{\"a\":");
            JsonSuite.Unfinished("n_structure_comma_instead_of_closing_brace", "{\"x\": true,");
            JsonSuite.Unfinished("n_structure_lone-open-bracket", "[");
            JsonSuite.Unfinished("n_structure_no_data", "");
            JsonSuite.Unfinished("n_single_space", " ");
            JsonSuite.Unfinished("n_structure_open_array_object", "[{\"\":[{\"\":[{\"\":");
            JsonSuite.Unfinished("n_structure_open_object", "{");
            JsonSuite.Unfinished("n_structure_open_array_open_string", "[\"a");
            JsonSuite.Unfinished("n_string_incomplete_escape", "[\"\\\"]");
            JsonSuite.Unfinished("n_string_start_escape_unclosed", "[\"\\");
            JsonSuite.Unfinished("n_structure_unclosed_array_partial_null", "[ false, nul");
            JsonSuite.Unfinished("n_structure_unclosed_array_unfinished_true", "[ false, tru");
        }

        [TestMethod]
        public void Numbers()
        {
            string[] docs =
            {
                "[++1234]", "[+1]", "[+Inf]", "[-01]", "[-1.0.]", "[-2.]", "[-NaN]", "[.-1]", "[.2e-3]", "[0.1.2]",
                "[0.3e+]", "[0.3e]", "[0.e1]", "[0E+]", "[0E]", "[0e+]", "[0e]", "[1.0e+]", "[1.0e-]", "[1.0e]",
                "[1 000.0]", "[1eE2]", "[2.e+3]", "[2.e-3]", "[2.e3]", "[9.e+]", "[Inf]", "[NaN]", "[012]", "[0x1]",
                "[0x42]", "[1+2]", "[-foo]", "[- 1]", "[-Infinity]", "[1ea]", "[.123]", "[Infinity]", "[1.]", "[-.5]",
                "[1e1.5]", "[0.1e-+2]", "[00]", "[-00.1]",
            };
            for (int i = 0; i < docs.Length; i++) JsonSuite.Refuses("n_number " + docs[i], docs[i]);
            JsonSuite.Refuses("n_structure_number_with_trailing_garbage", "2@");
            JsonSuite.RefusesHex("n_number_invalid-utf-8-in-int", "5b30e55d");
            JsonSuite.RefusesHex("n_number_U+FF11_fullwidth_digit_one", "5befbc915d");
        }

        [TestMethod]
        public void Objects()
        {
            JsonSuite.Refuses("n_object_bracket_key", "{[: \"x\"}");
            JsonSuite.Refuses("n_object_comma_instead_of_colon", "{\"x\", null}");
            JsonSuite.Refuses("n_object_double_colon", "{\"x\"::\"b\"}");
            JsonSuite.Refuses("n_object_garbage_at_end", "{\"a\":\"a\" 123}");
            JsonSuite.Refuses("n_object_key_with_single_quotes", "{key: 'value'}");
            JsonSuite.Refuses("n_object_missing_colon", "{\"a\" b}");
            JsonSuite.Refuses("n_object_missing_key", "{:\"b\"}");
            JsonSuite.Refuses("n_object_missing_semicolon", "{\"a\" \"b\"}");
            JsonSuite.Refuses("n_object_non_string_key", "{1:1}");
            JsonSuite.Refuses("n_object_non_string_key_but_huge_number_instead", "{9999E9999:1}");
            JsonSuite.Refuses("n_object_repeated_null_null", "{null:null,null:null}");
            JsonSuite.Refuses("n_object_several_trailing_commas", "{\"id\":0,,,,,}");
            JsonSuite.Refuses("n_object_single_quote", "{'a':0}");
            JsonSuite.Refuses("n_object_trailing_comma", "{\"id\":0,}");
            JsonSuite.Refuses("n_object_trailing_comment", "{\"a\":\"b\"}/**/");
            JsonSuite.Refuses("n_object_trailing_comment_slash_open", "{\"a\":\"b\"}//");
            JsonSuite.Refuses("n_object_two_commas_in_a_row", "{\"a\":\"b\",,\"c\":\"d\"}");
            JsonSuite.Refuses("n_object_unquoted_key", "{a: \"b\"}");
            JsonSuite.Refuses("n_object_with_single_string", "{ \"foo\" : \"bar\", \"a\" }");
            JsonSuite.Refuses("n_object_with_trailing_garbage", "{\"a\":\"b\"}#");
            JsonSuite.Refuses("n_object_comment_inside", "{\"a\":/*comment*/\"b\"}");
            JsonSuite.Refuses("n_object_emoji as key", "{\u263a}");
        }

        [TestMethod]
        public void Strings()
        {
            JsonSuite.Refuses("n_string_escape_x", "[\"\\x00\"]");
            JsonSuite.Refuses("n_string_invalid_backslash_esc", "[\"\\a\"]");
            JsonSuite.Refuses("n_string_invalid_unicode_escape", "[\"\\uqqqq\"]");
            JsonSuite.Refuses("n_string_incomplete_surrogate_escape_invalid", "[\"\\uD800\\uD800\\x\"]");
            JsonSuite.Refuses("n_string_1_surrogate_then_escape_u1x", "[\"\\uD800\\u1x\"]");
            JsonSuite.Refuses("n_string_incomplete_surrogate (lone high)", "[\"\\uD834\\uDd\"]");
            JsonSuite.Refuses("n_string_single_quote", "['single quote']");
            JsonSuite.Refuses("n_string_single_string_no_double_quotes", "abc");
            JsonSuite.Refuses("n_string_unescaped_newline", "[\"new\nline\"]");
            JsonSuite.Refuses("n_string_unescaped_tab", "[\"\t\"]");
            JsonSuite.Refuses("n_string_no_quotes_with_bad_escape", "[\\n]");
            JsonSuite.Refuses("n_string_with_trailing_garbage", "\"\"x");
            JsonSuite.RefusesHex("n_string_unescaped_ctrl_char", "5b22610061225d");
            JsonSuite.RefusesHex("n_string_escaped_emoji", "5b225cf09f8c80225d");
            JsonSuite.RefusesHex("n_string_invalid_utf8_after_escape", "5b225ce5225d");
            JsonSuite.RefusesHex("n_string_invalid-utf-8-in-escape", "5b225c75e5225d");
            JsonSuite.RefusesHex("n_string_lone continuation byte", "5b2280225d");
            JsonSuite.RefusesHex("n_string_overlong slash (C0 AF)", "5b22c0af225d");
            JsonSuite.RefusesHex("n_string_overlong 3-byte (E0 80 AF)", "5b22e080af225d");
            JsonSuite.RefusesHex("n_string_encoded surrogate (ED A0 80)", "5b22eda080225d");
            JsonSuite.RefusesHex("n_string_above U+10FFFF (F4 90 80 80)", "5b22f4908080225d");
            JsonSuite.RefusesHex("n_string_F5 lead", "5b22f5808080225d");
        }

        [TestMethod]
        public void Structure()
        {
            JsonSuite.Refuses("n_structure_angle_bracket_.", "<.>");
            JsonSuite.Refuses("n_structure_angle_bracket_null", "[<null>]");
            JsonSuite.Refuses("n_structure_array_trailing_garbage", "[1]x");
            JsonSuite.Refuses("n_structure_array_with_extra_array_close", "[1]]");
            JsonSuite.Refuses("n_structure_capitalized_True", "[True]");
            JsonSuite.Refuses("n_structure_close_unopened_array", "1]");
            JsonSuite.Refuses("n_structure_double_array", "[][]");
            JsonSuite.Refuses("n_structure_end_array", "]");
            JsonSuite.Refuses("n_structure_object_followed_by_closing_object", "{}}");
            JsonSuite.Refuses("n_structure_object_with_trailing_garbage", "{\"a\": true} \"x\"");
            JsonSuite.Refuses("n_structure_trailing_#", "{\"a\":\"b\"}#{}");
            JsonSuite.Refuses("n_structure_uescaped_LF_before_string", "[\\u000A\"\"]");
            JsonSuite.Refuses("n_structure_whitespace_formfeed", "[\f]");
            JsonSuite.Refuses("n_structure_single_star", "*");
            JsonSuite.Refuses("n_structure_unclosed_array_mismatch", "[1}");
            JsonSuite.Refuses("n_structure_object_closed_by_bracket", "{\"a\":1]");
            JsonSuite.Refuses("n_incomplete_false", "[fals]");
            JsonSuite.Refuses("n_incomplete_null", "[nul]");
            JsonSuite.Refuses("n_incomplete_true", "[tru]");
            JsonSuite.RefusesHex("n_structure_UTF8_BOM_no_data", "efbbbf");
            JsonSuite.RefusesHex("n_structure_UTF8_BOM_empty_object", "efbbbf7b7d");
            JsonSuite.RefusesHex("n_structure_null-byte-outside-string", "5b005d");
            JsonSuite.RefusesHex("n_structure_U+2060_word_joined", "5be281a05d");
            JsonSuite.RefusesHex("n_structure_unicode-identifier", "c3a5");
            JsonSuite.RefusesHex("n_structure_whitespace_U+2060_word_joiner", "5be281a05d");
            JsonSuite.RefusesHex("n_structure_nbsp as whitespace", "5bc2a05d");
        }

        [TestMethod]
        public void NestingBeyondTheLimit()
        {
            JsonSuite.TooDeep("n_structure_100000_opening_arrays (33 here)", JsonTesting.Nest(33));
            JsonSuite.TooDeep("n_structure_open_array_object deep", JsonTesting.Nest(40).Substring(0, 40));
            string objects = "";
            for (int i = 0; i < 33; i++) objects += "{\"a\":";
            JsonSuite.TooDeep("33 objects", objects);
        }
    }
}
