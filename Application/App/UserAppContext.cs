using System;
using CoreFirmware.Drivers.Cloud;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Update;

namespace CoreFirmware.Application.App
{
    /// <summary>
    /// What a user app is given: Serial1, its pins, TCP sockets (the user's share, which an OTA
    /// update may preempt) and the clock.
    /// </summary>
    public sealed class UserAppContext
    {
        /// <summary>Creates the context the system hands to <see cref="IUserApp.Setup"/>.</summary>
        public UserAppContext(ISerialPort serial1, IGpioPin d0, IGpioPin userLed, INetworkSockets network, IClock clock,
            IUpdateNotice updates)
            : this(serial1, d0, userLed, network, clock, updates, null)
        {
        }

        /// <summary>Creates the context with the deployment control of this boot (null: the image cannot confirm itself).</summary>
        public UserAppContext(ISerialPort serial1, IGpioPin d0, IGpioPin userLed, INetworkSockets network, IClock clock,
            IUpdateNotice updates, IDeploymentControl deployment)
            : this(serial1, d0, userLed, network, clock, updates, deployment, null)
        {
        }

        /// <summary>Creates the context with the deployment control and the cloud API of this boot (null: none).</summary>
        public UserAppContext(ISerialPort serial1, IGpioPin d0, IGpioPin userLed, INetworkSockets network, IClock clock,
            IUpdateNotice updates, IDeploymentControl deployment, ICloud cloud)
        {
            if (serial1 == null) throw new ArgumentNullException("serial1");
            if (d0 == null) throw new ArgumentNullException("d0");
            if (userLed == null) throw new ArgumentNullException("userLed");
            if (network == null) throw new ArgumentNullException("network");
            if (clock == null) throw new ArgumentNullException("clock");
            if (updates == null) throw new ArgumentNullException("updates");
            Serial1 = new SerialWriter(serial1);
            D0 = d0;
            UserLed = userLed;
            Network = network;
            Clock = clock;
            Updates = updates;
            Deployment = deployment;
            Cloud = cloud;
        }

        /// <summary>
        /// The Spark cloud (Spark.variable, Spark.function, Spark.publish, Spark.subscribe, Time); null when
        /// the system gave none (tests that run an app alone). Register variables and functions in Setup.
        /// </summary>
        public ICloud Cloud { get; private set; }

        /// <summary>Serial1, for the user thread only.</summary>
        public SerialWriter Serial1 { get; private set; }

        /// <summary>Pin D0.</summary>
        public IGpioPin D0 { get; private set; }

        /// <summary>The small user LED on D7 (the RGB LED belongs to the system).</summary>
        public IGpioPin UserLed { get; private set; }

        /// <summary>User TCP sockets: calls return <see cref="SocketError.Preempted"/> while an update runs.</summary>
        public INetworkSockets Network { get; private set; }

        /// <summary>The board clock.</summary>
        public IClock Clock { get; private set; }

        /// <summary>Whether an OTA update is running (user networking is preempted while it is).</summary>
        public IUpdateNotice Updates { get; private set; }

        /// <summary>Confirm or revert the running image during a test boot (null when the system gave none).</summary>
        public IDeploymentControl Deployment { get; private set; }
    }
}
