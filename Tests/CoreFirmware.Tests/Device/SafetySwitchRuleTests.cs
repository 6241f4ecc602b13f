using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using CoreFirmware.Application.App;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Update;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Runner;
using Xunit;

namespace CoreFirmware.Tests.Device;

/// <summary>
/// The guard of issue 12 item 6: no switch that disables a safety mechanism ships in the firmware
/// (<c>SafetySwitchRule</c>, run by the device build's MetadataCheck with --firmware on the system's
/// deployments, and here over the host build of the same sources). The rule is shown to fail: on an
/// assembly that carries the switches the firmware used to have, and on the host board's options, where
/// the negative runs' switches live now.
/// </summary>
[Trait("Category", "Guard")]
public sealed class SafetySwitchRuleTests
{
    private static List<string> Check(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        return SafetySwitchRule.Check(pe.GetMetadataReader());
    }

    private static List<string> Check(byte[] image)
    {
        using var pe = new PEReader(new MemoryStream(image));
        return SafetySwitchRule.Check(pe.GetMetadataReader());
    }

    [Fact]
    public void TheFirmwareAssembliesCarryNoSafetySwitch()
    {
        foreach (var firmware in new[] { typeof(SocketBroker).Assembly, typeof(OtaService).Assembly, typeof(IUserApp).Assembly, typeof(SparkCoreBoard).Assembly })
        {
            var findings = Check(firmware);
            Assert.True(findings.Count == 0, firmware.GetName().Name + ":\n" + string.Join("\n", findings));
        }
    }

    [Fact]
    public void TheRuleFailsOnAnAssemblyWithTheSwitchesTheFirmwareUsedToHave()
    {
        var findings = Check(SwitchedFirmware());

        Assert.Contains(findings, f => f.StartsWith("CoreFirmware.Drivers.Net.SocketBroker.PreemptionEnabled:"));
        Assert.Contains(findings, f => f.StartsWith("CoreFirmware.Ota.Cloud.CloudLink.InjectStall:"));
        Assert.Contains(findings, f => f.StartsWith("CoreFirmware.Ota.Boot.Bootloader.TestBootEnabled:"));
        Assert.Contains(findings, f => f.StartsWith("CoreFirmware.Ota.Update.OtaImagePolicy.VerifyStagedImage:"));
        // Not on the list, caught by the pattern: a settable *Enabled bool, a public bool field, a Disable* method.
        Assert.Contains(findings, f => f.StartsWith("CoreFirmware.Ota.Status.SystemWatchdog.FeedingEnabled:"));
        Assert.Contains(findings, f => f.StartsWith("CoreFirmware.Drivers.Spi.SpiBusArbiter.ArbitrationDisabled:"));
        Assert.Contains(findings, f => f.StartsWith("CoreFirmware.Ota.Update.OtaService.DisableChunkCrc:"));
        // What is not a switch stays quiet: a read-only flag, an internal type's setter, a private field.
        Assert.DoesNotContain(findings, f => f.Contains("IsConnected") || f.Contains("Cc3000EventDispatcher") || f.Contains("_enabled"));
        Assert.Equal(7, findings.Count);
    }

    [Fact]
    public void TheRuleFindsTheNegativeRunsSwitchesWhereTheyLiveNowOnTheHostBoard()
    {
        var findings = Check(typeof(VirtualCoreOptions).Assembly);

        Assert.Contains(findings, f => f.StartsWith("CoreFirmware.Virtual.Runner.VirtualCoreOptions.PreemptionEnabled:"));
        Assert.Contains(findings, f => f.StartsWith("CoreFirmware.Virtual.Runner.VirtualCoreOptions.TestBootEnabled:"));
        Assert.Contains(findings, f => f.StartsWith("CoreFirmware.Virtual.Runner.VirtualCoreOptions.WatchdogEnabled:"));
        Assert.Contains(findings, f => f.StartsWith("CoreFirmware.Virtual.VirtualBoardOptions.BypassArbiter:"));
    }

    // An assembly shaped like the firmware before the switches were taken out (plus pattern cases).
    private static byte[] SwitchedFirmware()
    {
        var assembly = new PersistedAssemblyBuilder(new AssemblyName("CoreFirmware.Switched"), typeof(object).Assembly);
        ModuleBuilder module = assembly.DefineDynamicModule("CoreFirmware.Switched");

        TypeBuilder broker = PublicType(module, "CoreFirmware.Drivers.Net.SocketBroker");
        BoolProperty(broker, "PreemptionEnabled", MethodAttributes.Public);
        BoolProperty(broker, "UpdatesPending", MethodAttributes.Public, settable: false);
        broker.CreateType();

        TypeBuilder link = PublicType(module, "CoreFirmware.Ota.Cloud.CloudLink");
        VoidMethod(link, "InjectStall", MethodAttributes.Public, typeof(int));
        BoolProperty(link, "IsConnected", MethodAttributes.Public, settable: false);
        link.DefineField("_enabled", typeof(bool), FieldAttributes.Private);
        link.CreateType();

        TypeBuilder bootloader = PublicType(module, "CoreFirmware.Ota.Boot.Bootloader");
        BoolProperty(bootloader, "TestBootEnabled", MethodAttributes.Public);
        bootloader.CreateType();

        TypeBuilder policy = PublicType(module, "CoreFirmware.Ota.Update.OtaImagePolicy");
        BoolProperty(policy, "VerifyStagedImage", MethodAttributes.Public);
        policy.CreateType();

        TypeBuilder watchdog = PublicType(module, "CoreFirmware.Ota.Status.SystemWatchdog");
        BoolProperty(watchdog, "FeedingEnabled", MethodAttributes.Public);
        watchdog.CreateType();

        TypeBuilder arbiter = PublicType(module, "CoreFirmware.Drivers.Spi.SpiBusArbiter");
        arbiter.DefineField("ArbitrationDisabled", typeof(bool), FieldAttributes.Public);
        arbiter.CreateType();

        TypeBuilder ota = PublicType(module, "CoreFirmware.Ota.Update.OtaService");
        VoidMethod(ota, "DisableChunkCrc", MethodAttributes.Public);
        ota.CreateType();

        TypeBuilder dispatcher = module.DefineType("CoreFirmware.Drivers.Cc3000.Cc3000EventDispatcher", TypeAttributes.NotPublic | TypeAttributes.Sealed | TypeAttributes.Class);
        BoolProperty(dispatcher, "Enabled", MethodAttributes.Public);
        dispatcher.CreateType();

        using var stream = new MemoryStream();
        assembly.Save(stream);
        return stream.ToArray();
    }

    private static TypeBuilder PublicType(ModuleBuilder module, string name) =>
        module.DefineType(name, TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class);

    private static void VoidMethod(TypeBuilder type, string name, MethodAttributes access, params Type[] parameters)
    {
        MethodBuilder m = type.DefineMethod(name, access | MethodAttributes.HideBySig, typeof(void), parameters);
        m.GetILGenerator().Emit(OpCodes.Ret);
    }

    private static void BoolProperty(TypeBuilder type, string name, MethodAttributes access, bool settable = true)
    {
        FieldBuilder field = type.DefineField("<" + name + ">k__BackingField", typeof(bool), FieldAttributes.Private);
        PropertyBuilder property = type.DefineProperty(name, PropertyAttributes.None, typeof(bool), null);
        MethodBuilder get = type.DefineMethod("get_" + name, access | MethodAttributes.SpecialName | MethodAttributes.HideBySig, typeof(bool), Type.EmptyTypes);
        ILGenerator il = get.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldfld, field);
        il.Emit(OpCodes.Ret);
        property.SetGetMethod(get);
        if (!settable) return;
        MethodBuilder set = type.DefineMethod("set_" + name, access | MethodAttributes.SpecialName | MethodAttributes.HideBySig, typeof(void), new[] { typeof(bool) });
        il = set.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Stfld, field);
        il.Emit(OpCodes.Ret);
        property.SetSetMethod(set);
    }
}
