using System;
using System.Collections;
using System.Reflection;

namespace CoreFirmware.Nano.TestFramework
{
    /// <summary>
    /// Finds the tests of an assembly by reflection and runs them one after another, writing
    /// machine-readable lines that a script or an xunit test reads:
    /// <code>
    /// @@run &lt;tests found&gt;
    /// @@begin &lt;Class.Method&gt;                      before each test
    /// @@test PASS &lt;Class.Method&gt;
    /// @@test FAIL &lt;Class.Method&gt; &lt;why&gt;           the exception's type and message, on one line
    /// @@done &lt;passed&gt; &lt;failed&gt;
    /// </code>
    /// </summary>
    /// <remarks>
    /// <para>A test is a public parameterless method marked <see cref="TestMethodAttribute"/> of a
    /// class marked <see cref="TestClassAttribute"/>. Classes run in ordinal order of their full
    /// names (the same order on nanoCLR and CoreCLR), methods in the order reflection gives them.
    /// Each test gets a new instance of its class (static methods none); <see cref="SetupAttribute"/>
    /// methods run before it and <see cref="CleanupAttribute"/> methods after it.</para>
    /// <para>Only what nanoFramework's mscorlib 1.17.11 has: Assembly.GetTypes,
    /// MemberInfo.GetCustomAttributes, Type.GetMethods(BindingFlags), Type.GetConstructor,
    /// ConstructorInfo.Invoke, MethodBase.Invoke, ArrayList. CoreCLR wraps what an invoked method
    /// throws in a TargetInvocationException (nanoFramework's mscorlib has no such type); the
    /// runner reports the inner exception, so both runtimes print the same line.</para>
    /// </remarks>
    public sealed class TestRunner
    {
        private static readonly object[] NoArguments = new object[0];
        private static readonly Type[] NoTypes = new Type[0];

        private readonly ITestOutput _output;
        private string _filter;
        private int _passed;
        private int _failed;

        /// <summary>Creates a runner that writes to <paramref name="output"/>.</summary>
        public TestRunner(ITestOutput output)
        {
            if (output == null) throw new ArgumentNullException("output");
            _output = output;
        }

        /// <summary>When set, only tests whose "Class.Method" name contains this text run.</summary>
        public string Filter
        {
            get { return _filter; }
            set { _filter = value; }
        }

        /// <summary>Tests that passed in the last <see cref="Run"/>.</summary>
        public int Passed
        {
            get { return _passed; }
        }

        /// <summary>Tests that failed in the last <see cref="Run"/>.</summary>
        public int Failed
        {
            get { return _failed; }
        }

        /// <summary>Runs every test of <paramref name="assembly"/>; returns the number that failed.</summary>
        public int Run(Assembly assembly)
        {
            if (assembly == null) throw new ArgumentNullException("assembly");
            _passed = 0;
            _failed = 0;
            Type[] classes = TestClasses(assembly);
            ArrayList tests = new ArrayList();
            for (int c = 0; c < classes.Length; c++)
            {
                MethodInfo[] methods = classes[c].GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly);
                for (int m = 0; m < methods.Length; m++)
                {
                    if (!Has(methods[m], typeof(TestMethodAttribute))) continue;
                    if (_filter != null && NameOf(methods[m]).IndexOf(_filter) < 0) continue;
                    tests.Add(methods[m]);
                }
            }

            _output.WriteLine("@@run " + tests.Count.ToString());
            for (int i = 0; i < tests.Count; i++)
            {
                RunOne((MethodInfo)tests[i]);
            }

            _output.WriteLine("@@done " + _passed.ToString() + " " + _failed.ToString());
            return _failed;
        }

        private void RunOne(MethodInfo test)
        {
            string name = NameOf(test);
            _output.WriteLine("@@begin " + name);
            string failure = null;
            object instance = null;
            Type type = test.DeclaringType;
            if (!test.IsStatic)
            {
                failure = Create(type, out instance);
            }

            bool setupDone = false;
            if (failure == null)
            {
                failure = InvokeMarked(type, instance, typeof(SetupAttribute));
                setupDone = failure == null;
            }

            if (setupDone)
            {
                failure = Invoke(type, test, instance);
            }

            if (instance != null || test.IsStatic)
            {
                string cleanup = InvokeMarked(type, instance, typeof(CleanupAttribute));
                if (failure == null && cleanup != null) failure = "cleanup: " + cleanup;
            }

            if (failure == null)
            {
                _passed++;
                _output.WriteLine("@@test PASS " + name);
            }
            else
            {
                _failed++;
                _output.WriteLine("@@test FAIL " + name + " " + failure);
            }
        }

        /// <summary>Runs every method of <paramref name="type"/> marked <paramref name="marker"/>; the first failure, or null.</summary>
        private static string InvokeMarked(Type type, object instance, Type marker)
        {
            MethodInfo[] methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly);
            for (int m = 0; m < methods.Length; m++)
            {
                if (!Has(methods[m], marker)) continue;
                if (!methods[m].IsStatic && instance == null) continue;
                string failure = Invoke(type, methods[m], methods[m].IsStatic ? null : instance);
                if (failure != null) return failure;
            }

            return null;
        }

        /// <summary>Makes a new instance of <paramref name="type"/>; null when that worked, else why not, on one line.</summary>
        private static string Create(Type type, out object instance)
        {
            instance = null;
            ConstructorInfo constructor = type.GetConstructor(NoTypes);
            if (constructor == null) return "no public parameterless constructor in " + type.FullName;
            Exception thrown = null;
            try
            {
                instance = constructor.Invoke(NoArguments);
            }
            catch (Exception e)
            {
                thrown = e;
            }

            return thrown == null ? null : Describe(Unwrap(thrown));
        }

        /// <summary>Invokes <paramref name="method"/> on <paramref name="target"/>; null when it returned normally, else why not, on one line.</summary>
        private static string Invoke(Type type, MethodInfo method, object target)
        {
            Exception thrown = null;
            try
            {
                method.Invoke(target, NoArguments);
            }
            catch (Exception e)
            {
                thrown = e;
            }

            return thrown == null ? null : Describe(Unwrap(thrown));
        }

        private static Exception Unwrap(Exception e)
        {
            while (e.InnerException != null && e.GetType().FullName == "System.Reflection.TargetInvocationException")
            {
                e = e.InnerException;
            }

            return e;
        }

        private static string Describe(Exception e)
        {
            string text = e is AssertFailedException ? e.Message : e.GetType().FullName + ": " + e.Message;
            return OneLine(text);
        }

        private static string OneLine(string text)
        {
            if (text == null) return "";
            char[] chars = text.ToCharArray();
            for (int i = 0; i < chars.Length; i++)
            {
                if (chars[i] == '\r' || chars[i] == '\n') chars[i] = ' ';
            }

            return new string(chars);
        }

        private static string NameOf(MethodInfo method)
        {
            return method.DeclaringType.Name + "." + method.Name;
        }

        private static bool Has(MemberInfo member, Type attribute)
        {
            object[] attributes = member.GetCustomAttributes(true);
            for (int i = 0; i < attributes.Length; i++)
            {
                if (attributes[i] != null && attributes[i].GetType() == attribute) return true;
            }

            return false;
        }

        /// <summary>The [TestClass] types of the assembly, in ordinal order of their full names.</summary>
        private static Type[] TestClasses(Assembly assembly)
        {
            Type[] all = assembly.GetTypes();
            ArrayList found = new ArrayList();
            for (int i = 0; i < all.Length; i++)
            {
                if (all[i].IsClass && Has(all[i], typeof(TestClassAttribute))) found.Add(all[i]);
            }

            Type[] classes = new Type[found.Count];
            for (int i = 0; i < classes.Length; i++)
            {
                // Insertion sort: a few dozen classes, and no Array.Sort on nanoFramework.
                Type t = (Type)found[i];
                int j = i;
                while (j > 0 && Ordinal(classes[j - 1].FullName, t.FullName) > 0)
                {
                    classes[j] = classes[j - 1];
                    j--;
                }

                classes[j] = t;
            }

            return classes;
        }

        private static int Ordinal(string a, string b)
        {
            int n = a.Length < b.Length ? a.Length : b.Length;
            for (int i = 0; i < n; i++)
            {
                if (a[i] != b[i]) return a[i] - b[i];
            }

            return a.Length - b.Length;
        }
    }
}
