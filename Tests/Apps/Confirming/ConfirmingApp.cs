using CoreFirmware.Application.App;
using CoreFirmware.Drivers.Update;

namespace CoreFirmware.TestApps.Confirming
{
    /// <summary>Confirms itself through the deployment API on its first loop (signed with ImageFlags.ManualConfirm): it must stay.</summary>
    public sealed class ConfirmingApp : IUserApp
    {
        private UserAppContext _context;
        private bool _done;

        /// <inheritdoc />
        public void Setup(UserAppContext context)
        {
            _context = context;
            context.Serial1.PrintLine("confirming: up");
        }

        /// <inheritdoc />
        public void Loop()
        {
            if (!_done && _context.Deployment != null && _context.Deployment.Status == DeploymentStatus.Testing)
            {
                _done = true;
                _context.Serial1.PrintLine(_context.Deployment.ConfirmDeploymentImage() ? "confirming: confirmed" : "confirming: confirm failed");
            }

            System.Threading.Thread.Sleep(20);
        }
    }
}
