// Placeholder: replaced by the rig that checks for required binaries.
export default function setup(): void {}
