using CoreFirmware.Application.App;

namespace CoreFirmware.TestApps.NeverConfirm
{
    /// <summary>Runs quietly and never confirms itself (signed with ImageFlags.ManualConfirm): its test boot must end in a rollback.</summary>
    public sealed class NeverConfirmApp : IUserApp
    {
        private UserAppContext _context;

        /// <inheritdoc />
        public void Setup(UserAppContext context)
        {
            _context = context;
            context.Serial1.PrintLine("never-confirm: up");
        }

        /// <inheritdoc />
        public void Loop()
        {
            System.Threading.Thread.Sleep(20);
        }
    }
}
