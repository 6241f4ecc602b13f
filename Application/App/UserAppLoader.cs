using System;
using System.Reflection;

namespace CoreFirmware.Application.App
{
    /// <summary>
    /// Turns an app deployment into a running app: on a device the application slot's payload is the
    /// app's nanoFramework deployment (.pe), loaded with <see cref="Assembly.Load(byte[])"/> over the system
    /// already running; its one public, non-abstract <see cref="IUserApp"/> class is created with its public
    /// parameterless constructor. (On CoreCLR the same call loads a .NET assembly.)
    /// </summary>
    public static class UserAppLoader
    {
        /// <summary>Loads <paramref name="deployment"/> and creates its app.</summary>
        /// <exception cref="UserAppLoadException">The bytes are not an assembly with exactly one such class, or its constructor threw.</exception>
        public static IUserApp Load(byte[] deployment)
        {
            if (deployment == null) throw new ArgumentNullException("deployment");
            Assembly assembly = LoadAssembly(deployment);
            Type[] types = assembly.GetTypes();
            string contract = typeof(IUserApp).FullName;
            Type app = null;
            int found = 0;
            for (int i = 0; i < types.Length; i++)
            {
                Type t = types[i];
                if (t.IsClass && !t.IsAbstract && t.IsPublic && Implements(t, contract))
                {
                    app = t;
                    found++;
                }
            }
            if (found != 1)
                throw new UserAppLoadException(assembly.FullName + " must hold exactly one public IUserApp class; it holds " + found.ToString());
            ConstructorInfo constructor = app.GetConstructor(new Type[0]);
            if (constructor == null)
                throw new UserAppLoadException(app.FullName + " has no public parameterless constructor");
            return Create(constructor, app.FullName);
        }

        private static Assembly LoadAssembly(byte[] deployment)
        {
            Assembly assembly = null;
            string reason = "it is not an assembly";
            try
            {
                assembly = Assembly.Load(deployment);
            }
            catch (Exception e)
            {
                reason = e.Message;
            }
            if (assembly == null) throw new UserAppLoadException("the application payload does not load: " + reason);
            return assembly;
        }

        private static IUserApp Create(ConstructorInfo constructor, string name)
        {
            object app = null;
            string reason = null;
            try
            {
                app = constructor.Invoke(null);
            }
            catch (Exception e)
            {
                reason = e.Message;
            }
            if (reason != null) throw new UserAppLoadException(name + "'s constructor threw: " + reason);
            return (IUserApp)app;
        }

        // Interfaces compared by name: nanoCLR does not promise one Type object per type.
        private static bool Implements(Type type, string contract)
        {
            Type[] interfaces = type.GetInterfaces();
            for (int i = 0; i < interfaces.Length; i++)
            {
                if (interfaces[i].FullName == contract) return true;
            }
            return false;
        }
    }
}
