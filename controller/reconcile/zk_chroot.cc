// The ChrootCleaner over broker/metadata's ZooKeeper client.
#include "broker/metadata/zk_client.h"
#include "controller/reconcile/cluster_reconciler.h"

namespace sluice::reconcile {

Status DeleteZooKeeperChroot(const std::string& connect, const std::string& chroot) {
  if (chroot.empty() || chroot == "/" || chroot.front() != '/') {
    return Status::InvalidArgument("refusing to delete ZooKeeper path '" + chroot +
                                   "': only a chroot below / belongs to one cluster");
  }
  metadata::ZkClientOptions options;
  // No chroot in the connect string: the client would create a missing chroot first.
  options.connect_string = connect;
  options.session_timeout_ms = 10000;
  options.connection_timeout_ms = 10000;
  auto zk = metadata::ZkClient::Connect(options);
  if (!zk.ok()) return zk.status();
  Status s = (*zk)->DeleteRecursive(chroot);
  // A writer racing the delete (a broker still shutting down) makes it fail with Conflict:
  // try once more, then leave it to the next pass.
  if (s.code() == Status::Code::kConflict) s = (*zk)->DeleteRecursive(chroot);
  return s;
}

}  // namespace sluice::reconcile
