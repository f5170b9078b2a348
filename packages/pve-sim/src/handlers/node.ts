// Node reads: status, rrddata (metrics), and the disks list / SMART data the API exposes.
import { dieError } from "../errors.js";
import { hashNoise } from "../prng.js";
import { GIB } from "../state/model.js";
import { nodeUsage } from "./node-usage.js";
import type { Handler } from "./types.js";
import { str } from "./types.js";

const status: Handler = ({ core }) => {
  const n = core.state.node;
  const key = `status|${Math.floor(core.clock.now() / 1000)}`;
  if (!core.options.validateResponses) {
    const hit = core.cache.get(key, core.state.version);
    if (hit) return { cached: hit };
  }
  const u = nodeUsage(core);
  const kversion = `Linux ${n.kernelRelease} ${n.kernelVersion}`;
  const data = {
    "boot-info": { mode: "efi", secureboot: 0 },
    cpu: u.cpu,
    cpuinfo: {
      cores: n.cores,
      cpus: n.cpus,
      flags:
        "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid aperfmperf rapl pni pclmulqdq monitor ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs skinit wdt tce topoext perfctr_core perfctr_nb bpext perfctr_llc mwaitx cpb cat_l3 cdp_l3 hw_pstate ssbd mba ibrs ibpb stibp vmmcall fsgsbase bmi1 avx2 smep bmi2 erms invpcid cqm rdt_a rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local clzero irperf xsaveerptr rdpru wbnoinvd cppc arat npt lbrv svm_lock nrip_save tsc_scale vmcb_clean flushbyasid decodeassists pausefilter pfthreshold avic v_vmsave_vmload vgif v_spec_ctrl umip pku ospke vaes vpclmulqdq rdpid overflow_recov succor smca fsrm",
      hvm: "1",
      mhz: "3800.000",
      model: n.cpuModel,
      sockets: n.sockets,
      user_hz: 100,
    },
    "current-kernel": {
      machine: "x86_64",
      release: n.kernelRelease,
      sysname: "Linux",
      version: n.kernelVersion,
    },
    idle: 0,
    ksm: { shared: 0 },
    kversion,
    loadavg: u.load.map((l) => l.toFixed(2)),
    memory: {
      available: n.memTotal - u.memUsed,
      free: n.memTotal - u.memUsed - 2 * GIB,
      total: n.memTotal,
      used: u.memUsed,
    },
    pveversion: `pve-manager/${n.pveVersion}/${n.repoid}`,
    rootfs: {
      avail: n.rootfsTotal - u.rootUsed,
      free: n.rootfsTotal - u.rootUsed,
      total: n.rootfsTotal,
      used: u.rootUsed,
    },
    swap: { free: 8 * GIB, total: 8 * GIB, used: 0 },
    uptime: u.uptime,
    wait: u.iowait,
  };
  if (core.options.validateResponses) return { data };
  return { cached: core.cache.set(key, core.state.version, Buffer.from(JSON.stringify({ data }))) };
};

/** rrd steps per timeframe (PVE's rrdcached RRAs): 70 rows each. */
const STEPS: Record<string, number> = {
  hour: 60,
  day: 1800,
  week: 10_800,
  month: 43_200,
  year: 604_800,
  decade: 6_048_000,
};

const rrddata: Handler = ({ core, params }) => {
  const node = core.state.node;
  if (str(params.node) !== node.name)
    throw dieError(
      `RRD error: opening '/var/lib/rrdcached/db/pve-node-9.0/${str(params.node)}': No such file or directory\n`,
    );
  const step = STEPS[str(params.timeframe) ?? "hour"] ?? 60;
  const max = str(params.cf) === "MAX";
  const end = Math.floor(core.clock.now() / 1000 / step) * step;
  const rows: unknown[] = [];
  for (let i = 69; i >= 0; i--) {
    const time = end - i * step;
    const u = nodeUsage(core, time * 1000);
    const jitter = hashNoise(11, time) * (max ? 1.5 : 1);
    rows.push({
      time,
      cpu: Number(Math.min(1, u.cpu * (0.7 + jitter)).toFixed(6)),
      maxcpu: node.cpus,
      iowait: Number((u.iowait * (0.5 + jitter)).toFixed(6)),
      loadavg: Number((u.load[0] * (0.7 + jitter)).toFixed(2)),
      memtotal: node.memTotal,
      memused: Math.floor(u.memUsed * (0.95 + 0.05 * jitter)),
      swaptotal: 8 * GIB,
      swapused: 0,
      roottotal: node.rootfsTotal,
      rootused: u.rootUsed,
      netin: Number((120_000 * (0.5 + jitter)).toFixed(2)),
      netout: Number((45_000 * (0.5 + jitter)).toFixed(2)),
    });
  }
  return { data: rows };
};

interface SimDisk {
  devpath: string;
  data: Record<string, unknown>;
  smart: Record<string, unknown>;
}

const DISKS: SimDisk[] = [
  {
    devpath: "/dev/nvme0n1",
    data: {
      by_id_link: "/dev/disk/by-id/nvme-Samsung_SSD_980_PRO_1TB_S5GXNX0W123456K",
      gpt: 1,
      health: "PASSED",
      model: "Samsung SSD 980 PRO 1TB",
      rpm: 0,
      serial: "S5GXNX0W123456K",
      size: 1_000_204_886_016,
      type: "nvme",
      used: "LVM",
      vendor: "unknown",
      wearout: 98,
      wwn: "eui.002538b111b2c3d4",
    },
    smart: {
      health: "PASSED",
      type: "text",
      wearout: 98,
      text: "\nSMART/Health Information (NVMe Log 0x02)\nCritical Warning:                   0x00\nTemperature:                        41 Celsius\nAvailable Spare:                    100%\nAvailable Spare Threshold:          10%\nPercentage Used:                    2%\nData Units Read:                    12,345,678 [6.32 TB]\nData Units Written:                 9,876,543 [5.05 TB]\nPower On Hours:                     4,321\nUnsafe Shutdowns:                   12\nMedia and Data Integrity Errors:    0\n",
    },
  },
  {
    devpath: "/dev/sda",
    data: {
      by_id_link: "/dev/disk/by-id/ata-WDC_WD40EFRX-68N32N0_WD-WCC7K1234567",
      gpt: 1,
      health: "PASSED",
      model: "WDC_WD40EFRX-68N32N0",
      rpm: 5400,
      serial: "WD-WCC7K1234567",
      size: 4_000_787_030_016,
      type: "hdd",
      used: "ext4",
      vendor: "ATA     ",
      wearout: "N/A",
      wwn: "0x50014ee2b5c3d4e5",
    },
    smart: {
      health: "PASSED",
      type: "ata",
      attributes: [
        {
          id: "  1",
          name: "Raw_Read_Error_Rate",
          flags: "POSR-K",
          value: 200,
          normalized: 200,
          worst: 200,
          threshold: 51,
          fail: "-",
          raw: "0",
        },
        {
          id: "  5",
          name: "Reallocated_Sector_Ct",
          flags: "PO--CK",
          value: 200,
          normalized: 200,
          worst: 200,
          threshold: 140,
          fail: "-",
          raw: "0",
        },
        {
          id: "  9",
          name: "Power_On_Hours",
          flags: "-O--CK",
          value: 91,
          normalized: 91,
          worst: 91,
          threshold: 0,
          fail: "-",
          raw: "6789",
        },
        {
          id: "194",
          name: "Temperature_Celsius",
          flags: "-O---K",
          value: 118,
          normalized: 118,
          worst: 105,
          threshold: 0,
          fail: "-",
          raw: "32",
        },
        {
          id: "197",
          name: "Current_Pending_Sector",
          flags: "-O--CK",
          value: 200,
          normalized: 200,
          worst: 200,
          threshold: 0,
          fail: "-",
          raw: "0",
        },
      ],
    },
  },
];

const disksList: Handler = ({ params }) => {
  const skipsmart = Number(params.skipsmart ?? 0) === 1;
  const type = str(params.type);
  const data = DISKS.filter(() => type !== "journal_disks" && type !== "unused").map((d) => {
    const entry: Record<string, unknown> = {
      devpath: d.devpath,
      ...d.data,
      osdid: -1,
      "osdid-list": null,
    };
    if (skipsmart) entry.health = "UNKNOWN";
    return entry;
  });
  return { data };
};

const smart: Handler = ({ params }) => {
  const disk = DISKS.find((d) => d.devpath === str(params.disk));
  if (!disk) throw dieError(`no such block device '${str(params.disk)}'\n`);
  if (Number(params.healthonly ?? 0) === 1) return { data: { health: disk.smart.health } };
  return { data: disk.smart };
};

export const nodeHandlers: Record<string, Handler> = {
  "GET /nodes/{node}/status": status,
  "GET /nodes/{node}/rrddata": rrddata,
  "GET /nodes/{node}/disks/list": disksList,
  "GET /nodes/{node}/disks/smart": smart,
};
