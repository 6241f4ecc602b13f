using CoreFirmware.Virtual;

// The virtual Core's command line. See README.md.
return VirtualCoreCommands.Run(args);
