#include "agent/kubernetes/pod_cache.h"

#include <mutex>
#include <unordered_set>

namespace zerotrace::kubernetes {

bool PodCache::RemoveLocked(const std::string& pod_uid) {
  auto it = pods_.find(pod_uid);
  if (it == pods_.end()) return false;
  for (const PodContainer& c : it->second.containers) {
    // A container id belongs to one pod; only drop it if still this pod's.
    auto found = containers_.find(c.container_id);
    if (found != containers_.end() && found->second.pod == it->second.metadata) containers_.erase(found);
  }
  if (const std::string& hash = it->second.metadata->static_pod_hash; !hash.empty()) {
    auto found = uid_by_static_hash_.find(hash);
    if (found != uid_by_static_hash_.end() && found->second == pod_uid) uid_by_static_hash_.erase(found);
  }
  pods_.erase(it);
  return true;
}

bool PodCache::UpsertLocked(PodRecord pod) {
  if (auto it = pods_.find(pod.metadata.pod_uid); it != pods_.end()) {
    if (*it->second.metadata == pod.metadata && it->second.containers == pod.containers) return false;
    RemoveLocked(pod.metadata.pod_uid);
  }
  auto metadata = std::make_shared<const PodMetadata>(std::move(pod.metadata));
  for (const PodContainer& c : pod.containers) containers_[c.container_id] = {metadata, c.name};
  if (!metadata->static_pod_hash.empty()) uid_by_static_hash_[metadata->static_pod_hash] = metadata->pod_uid;
  pods_[metadata->pod_uid] = {metadata, std::move(pod.containers)};
  return true;
}

void PodCache::Upsert(PodRecord pod) {
  std::unique_lock lock(mutex_);
  if (UpsertLocked(std::move(pod))) generation_.fetch_add(1, std::memory_order_acq_rel);
}

void PodCache::Remove(std::string_view pod_uid) {
  std::unique_lock lock(mutex_);
  if (RemoveLocked(std::string(pod_uid))) generation_.fetch_add(1, std::memory_order_acq_rel);
}

void PodCache::ReplaceAll(std::vector<PodRecord> pods) {
  std::unique_lock lock(mutex_);
  bool changed = false;
  std::unordered_set<std::string> listed;
  for (const PodRecord& pod : pods) listed.insert(pod.metadata.pod_uid);
  std::vector<std::string> gone;
  for (const auto& [uid, entry] : pods_)
    if (!listed.contains(uid)) gone.push_back(uid);
  for (const std::string& uid : gone) changed |= RemoveLocked(uid);
  for (PodRecord& pod : pods) changed |= UpsertLocked(std::move(pod));
  if (changed) generation_.fetch_add(1, std::memory_order_acq_rel);
}

std::optional<ContainerMatch> PodCache::FindContainer(std::string_view container_id) const {
  std::shared_lock lock(mutex_);
  auto it = containers_.find(std::string(container_id));
  if (it == containers_.end()) return std::nullopt;
  return it->second;
}

std::shared_ptr<const PodMetadata> PodCache::FindPod(std::string_view pod_uid) const {
  std::shared_lock lock(mutex_);
  std::string key(pod_uid);
  if (auto it = pods_.find(key); it != pods_.end()) return it->second.metadata;
  if (auto hash = uid_by_static_hash_.find(key); hash != uid_by_static_hash_.end()) {
    if (auto it = pods_.find(hash->second); it != pods_.end()) return it->second.metadata;
  }
  return nullptr;
}

size_t PodCache::pod_count() const {
  std::shared_lock lock(mutex_);
  return pods_.size();
}

size_t PodCache::container_count() const {
  std::shared_lock lock(mutex_);
  return containers_.size();
}

}  // namespace zerotrace::kubernetes
