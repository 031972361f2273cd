// FakeClient: an in-memory Client with the API server's semantics that matter to controllers,
// for unit tests of code above the client (informers, leader election, events, reconcile).
//
// Versions and conflicts
//  * resourceVersion: one counter for everything, bumped on every write (Put included).
//  * Create of an existing name (also one still terminating) -> kAlreadyExists; Create with a
//    resourceVersion -> kInvalidArgument; a missing object -> kNotFound.
//  * Update/UpdateStatus with a stale metadata.resourceVersion -> kConflict (an empty one is an
//    unconditional write, as the server allows). A merge patch that carries
//    metadata.resourceVersion has it as a precondition (stale -> kConflict); one without it
//    always applies to the current object.
//
// Server-owned fields
//  * Create sets metadata.uid, namespace, creationTimestamp, generation 1, kind and apiVersion,
//    and drops .status (the server resets status on create for every kind with a status
//    subresource; Nodes are the exception: the kubelet registers them with status).
//  * Writes cannot change uid, creationTimestamp, deletionTimestamp,
//    deletionGracePeriodSeconds or generation; generation is bumped when anything outside
//    metadata and status changes (the spec, a ConfigMap's data, ...).
//  * Main endpoint (Update, MergePatch) ignores .status; /status (UpdateStatus,
//    MergePatchStatus) takes only .status and leaves spec and metadata as they were.
//  * MergePatch/MergePatchStatus apply RFC 7386 (ApplyMergePatch below): null deletes a field,
//    objects merge, arrays and scalars replace.
//
// Deletion
//  * An object without finalizers is removed at once (watch: DELETED) unless its type has
//    graceful deletion (SetGracefulDeletion; pods on a real cluster): then, like a pod whose
//    kubelet has not stopped its containers yet, it stays with metadata.deletionTimestamp and
//    deletionGracePeriodSeconds (the option, default 30) until FinishTerminating() or a Delete
//    with grace_period_seconds = 0. Marking it bumps its generation, as the server does.
//  * An object with finalizers is marked (deletionTimestamp, deletionGracePeriodSeconds 0;
//    watch: MODIFIED) and stays until a write empties metadata.finalizers: that write removes it
//    (watch: DELETED). A terminating object accepts no new finalizers (kInvalidArgument).
//  * Deleting an object that is already terminating changes nothing and succeeds; a Delete
//    with precondition_uid of another incarnation -> kConflict.
//  * There is no garbage collector: ownerReferences do not cascade and the propagation policy
//    is ignored.
//
// Watch replays the change log after the given RV, then waits for new changes until the
// timeout, the caller's cancel token, or EndWatches(); an RV older than Compact()'s ->
// kOutOfRange. Label selectors: equality terms "k=v,k2=v2" and "k" (exists); others ->
// kInvalidArgument.
//
// For tests: FailNext/FailWhen inject failures, OnRequest observes every call, Calls counts
// them, and Peek/PeekAll/Put read and write the store as other actors would (a kubelet, a user
// with kubectl) without being counted, failed or observed.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controller/kube/client.h"

namespace sluice::kube {

class FakeClient : public Client {
 public:
  // One call as the fake received it.
  struct Request {
    // GET LIST CREATE UPDATE PATCH UPDATE_STATUS PATCH_STATUS DELETE WATCH
    std::string verb;
    ResourceType type;
    std::string ns;
    std::string name;  // metadata.name of the object written; empty for LIST and WATCH
  };

  Result<web::json::value> Get(const ResourceType& type, const std::string& ns,
                               const std::string& name) override;
  Result<ObjectList> List(const ResourceType& type, const std::string& ns,
                          const ListOptions& options) override;
  Result<web::json::value> Create(const ResourceType& type, const std::string& ns,
                                  const web::json::value& object) override;
  Result<web::json::value> Update(const ResourceType& type, const std::string& ns,
                                  const web::json::value& object) override;
  Result<web::json::value> MergePatch(const ResourceType& type, const std::string& ns,
                                      const std::string& name,
                                      const web::json::value& patch) override;
  Result<web::json::value> UpdateStatus(const ResourceType& type, const std::string& ns,
                                        const web::json::value& object) override;
  Result<web::json::value> MergePatchStatus(const ResourceType& type, const std::string& ns,
                                            const std::string& name,
                                            const web::json::value& patch) override;
  Status Delete(const ResourceType& type, const std::string& ns, const std::string& name,
                const DeleteOptions& options) override;
  Status Watch(const ResourceType& type, const std::string& ns, const ListOptions& options,
               std::chrono::seconds timeout,
               const std::function<bool(const WatchEvent&)>& on_event) override;

  // ---- fault injection and observation ------------------------------------------------------
  // The next `times` calls of `verb` (see Request::verb) fail with `status`.
  void FailNext(const std::string& verb, Status status, int times = 1);
  // `fault` runs before every call not already failed by FailNext; a non-OK answer is returned
  // instead of doing the call. Null clears it. It runs unlocked and may read the fake.
  void FailWhen(std::function<Status(const Request&)> fault);
  // Drops FailNext's queue and FailWhen's hook.
  void ClearFaults();
  // `observer` runs after every call (failed ones included) with the call's outcome, on the
  // calling thread, in call order for one thread. Null clears it. It runs unlocked.
  void OnRequest(std::function<void(const Request&, const Status&)> observer);
  // Calls of a verb so far, failed ones included.
  int Calls(const std::string& verb) const;

  // ---- deletion ---------------------------------------------------------------------------
  // Objects of `type` deleted from now on terminate gracefully (see the top of this file).
  void SetGracefulDeletion(const ResourceType& type, bool graceful = true);
  // What a kubelet does once the containers stopped: every gracefully terminating object is
  // removed (watch: DELETED), or, when finalizers still hold it, left for them with grace 0.
  // Returns how many objects were removed.
  int FinishTerminating();

  // ---- direct store access ----------------------------------------------------------------
  // The stored object, if any. Not a request: never fails, not counted, not observed.
  std::optional<web::json::value> Peek(const ResourceType& type, const std::string& ns,
                                       const std::string& name) const;
  bool Has(const ResourceType& type, const std::string& ns, const std::string& name) const {
    return Peek(type, ns, name).has_value();
  }
  // Every stored object of `type` in `ns` ("" = all namespaces), ordered by namespace and name.
  std::vector<web::json::value> PeekAll(const ResourceType& type, const std::string& ns = "") const;
  // Stores `object` whole (spec, status and metadata as given) the way another actor's write
  // would land: a kubelet setting a pod's status, a user relabelling a claim. Not a request
  // (never fails, not counted, not observed) but otherwise a write: the resourceVersion is
  // bumped, uid/creationTimestamp/generation are kept from the stored object or set when new,
  // generation is bumped on a non-metadata, non-status change, watches see ADDED or MODIFIED,
  // and emptying the finalizers of an object being deleted removes it.
  void Put(const ResourceType& type, const std::string& ns, const web::json::value& object);

  // ---- watches --------------------------------------------------------------------------------
  // History up to now is forgotten: watches from older RVs get kOutOfRange.
  void Compact();
  // Open watches end normally (as when the server's timeoutSeconds passes).
  void EndWatches();
  // Open watches of `type` get a BOOKMARK at the current RV.
  void Bookmark(const ResourceType& type);
  std::string CurrentResourceVersion() const;
  int OpenWatches() const;

 private:
  struct Change {
    int64_t rv;
    std::string collection;  // group/plural
    std::string ns;
    WatchEvent event;
  };
  // How a write treats the object it is given (see the top of this file).
  enum class WriteKind { kMain, kStatus, kRaw };

  // Counts the call and applies FailNext then FailWhen.
  Status Admit(const Request& request);
  // Hands the outcome to OnRequest's observer and returns it.
  template <typename T>
  T Observed(const Request& request, T outcome);

  // One stored object with where it lives (for watch events).
  struct Stored {
    std::string collection;  // group/plural
    std::string ns;          // "" for cluster-scoped kinds
    web::json::value object;
  };

  // The rest run with mutex_ held.
  // Update/UpdateStatus/patch/Put of an existing object, `object` being the whole new object
  // as sent (or as patched); `method` names the HTTP method in error messages.
  Result<web::json::value> WriteExisting(const ResourceType& type, const std::string& ns,
                                         const std::string& name, const web::json::value& object,
                                         WriteKind kind, const std::string& method);
  // Stores `stored` under a new RV and records the watch event `change`; kDeleted removes it,
  // and so does any write that leaves an object being deleted with no finalizers and no grace
  // period left. Returns the object as stored (or as last seen).
  web::json::value Commit(const std::string& key, Stored stored, WatchEvent::Type change);
  void Record(const std::string& collection, const std::string& ns, WatchEvent::Type change,
              const web::json::value& object);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, Stored> objects_;  // collection|ns|name -> object
  std::vector<Change> log_;
  int64_t rv_ = 100;
  int64_t compacted_rv_ = 0;
  int64_t uid_counter_ = 0;
  int64_t watch_epoch_ = 0;                                 // EndWatches() bumps it
  std::vector<std::pair<std::string, int64_t>> bookmarks_;  // collection, rv
  std::map<std::string, std::deque<Status>> faults_;
  std::function<Status(const Request&)> fail_when_;
  std::function<void(const Request&, const Status&)> observer_;
  std::map<std::string, int> calls_;
  std::set<std::string> graceful_collections_;
  int open_watches_ = 0;
};

// RFC 7386 JSON merge patch: `patch` applied to `target`.
web::json::value ApplyMergePatch(const web::json::value& target, const web::json::value& patch);

}  // namespace sluice::kube
