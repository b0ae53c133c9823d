// Moving a container between hosts (root on the host only): export its
// stored records page by page, import them in one transaction. Records are
// the store's own rows: every secret in them is still sealed under its
// user's master key and bound to container, user and key id, so neither
// the file nor the operator moving it learns a key.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "vhsm/crypto/digest.h"
#include "vhsm/server/key_types.h"
#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {
namespace {

constexpr size_t kPageBytes = 32 * 1024;  // a page of records within a frame
constexpr size_t kKeysPerQuery = 64;
constexpr size_t kMaxImportBytes = 64 << 20;  // one container's records in memory
constexpr size_t kMaxBlob = 16 * 1024;

// Any container moves, the host's own ("host") included.
Status CheckName(const std::string& name) {
  if (!transport::ValidContainerName(name) && name != transport::kHostContainer) {
    return InvalidArgument("invalid container name '" + name + "'");
  }
  return Status::Ok();
}

// ---- export -----------------------------------------------------------------------

void AddUser(const storage::UserRecord& u, proto::ContainerExportResult* out) {
  auto* r = out->add_records()->mutable_user();
  r->set_name(u.name);
  r->set_salt(u.salt.data(), u.salt.size());
  r->set_iterations(u.iterations);
  r->set_wrapped_master_key(u.wrapped_master_key.data(), u.wrapped_master_key.size());
  r->set_role(u.role);
  r->set_created_unix(u.created_unix);
  r->set_share_public(u.share_public.data(), u.share_public.size());
  r->set_share_private(u.share_private.data(), u.share_private.size());
  r->set_max_keys(static_cast<uint64_t>(u.max_keys));
}

Status AddKey(Env& env, const std::string& container, const storage::KeyRecord& listed,
              proto::ContainerExportResult* out) {
  VHSM_ASSIGN_OR_RETURN(storage::KeyRecord k,
                        env.store->GetKey(container, listed.user, listed.key_id));
  auto* r = out->add_records()->mutable_key();
  r->set_user(k.user);
  r->set_key_id(k.key_id);
  r->set_type(k.type);
  r->set_allowed_ops(k.allowed_ops);
  r->set_created_unix(k.created_unix);
  r->set_blob(k.blob.data(), k.blob.size());
  r->set_label(k.label);
  r->set_flags(k.flags);
  r->set_latest_version(k.latest_version);
  r->set_min_version(k.min_version);
  for (uint32_t v = std::max(2u, k.min_version); v <= k.latest_version; ++v) {
    VHSM_ASSIGN_OR_RETURN(storage::KeyVersionRecord kv,
                          env.store->GetKeyVersion(container, k.user, k.key_id, v));
    auto* rv = out->add_records()->mutable_version();
    rv->set_user(k.user);
    rv->set_key_id(k.key_id);
    rv->set_version(v);
    rv->set_created_unix(kv.created_unix);
    rv->set_blob(kv.blob.data(), kv.blob.size());
  }
  VHSM_ASSIGN_OR_RETURN(std::vector<storage::GrantRecord> grants,
                        env.store->ListGrants(container, k.user, k.key_id));
  for (const auto& g : grants) {
    auto* rg = out->add_records()->mutable_grant();
    rg->set_owner(g.owner);
    rg->set_key_id(g.key_id);
    rg->set_version(g.version);
    rg->set_grantee(g.grantee);
    rg->set_ops(g.ops);
    rg->set_blob(g.blob.data(), g.blob.size());
  }
  return Status::Ok();
}

void AddObject(const storage::ObjectRecord& o, proto::ContainerExportResult* out) {
  auto* r = out->add_records()->mutable_object();
  r->set_user(o.user);
  r->set_handle(o.handle);
  r->set_cls(static_cast<proto::ObjectClass>(o.cls));
  r->set_id(o.id.data(), o.id.size());
  r->set_label(o.label);
  r->set_is_private(o.is_private);
  r->set_application(o.application);
  r->set_oid(o.oid.data(), o.oid.size());
  r->set_created_unix(o.created_unix);
  r->set_value(o.value.data(), o.value.size());
  r->set_mac(o.mac.data(), o.mac.size());
}

// ExportObjects adds user's objects after handle `after`; false when the
// page filled first (cursor "USER#HANDLE" set). An object (at most 32 KiB)
// goes on a page only while the page stays within a frame.
Result<bool> ExportObjects(Env& env, const std::string& container, const std::string& user,
                           uint64_t after, proto::ContainerExportResult* out) {
  while (true) {
    VHSM_ASSIGN_OR_RETURN(std::vector<storage::ObjectRecord> list,
                          env.store->ListObjects(container, user, {}, after, kKeysPerQuery));
    for (const auto& listed : list) {
      if (out->records_size() > 0 && out->ByteSizeLong() + listed.size > kPageBytes) {
        out->set_next_cursor(user + "#" + std::to_string(after));
        return false;
      }
      VHSM_ASSIGN_OR_RETURN(storage::ObjectRecord o,
                            env.store->GetObject(container, user, listed.handle));
      AddObject(o, out);
      after = o.handle;
    }
    if (list.size() < kKeysPerQuery) return true;
  }
}

// ExportUser adds user (unless resuming inside it), its keys after `after`
// and its objects; returns false when the page filled first (cursor set).
Result<bool> ExportUser(Env& env, const std::string& container, const std::string& user,
                        std::string after, bool resume, proto::ContainerExportResult* out) {
  if (!resume) {
    VHSM_ASSIGN_OR_RETURN(storage::UserRecord u, env.store->GetUser(container, user));
    AddUser(u, out);
    if (out->ByteSizeLong() > kPageBytes) {
      out->set_next_cursor(user + "/");  // its keys from the first
      return false;
    }
  }
  while (true) {
    VHSM_ASSIGN_OR_RETURN(std::vector<storage::KeyRecord> keys,
                          env.store->ListKeys(container, user, after, kKeysPerQuery));
    for (const auto& k : keys) {
      VHSM_RETURN_IF_ERROR(AddKey(env, container, k, out));
      if (out->ByteSizeLong() > kPageBytes) {
        out->set_next_cursor(user + "/" + k.key_id);
        return false;
      }
    }
    if (keys.size() < kKeysPerQuery) return ExportObjects(env, container, user, 0, out);
    after = keys.back().key_id;
  }
}

}  // namespace

Status ContainerExport(Env& env, Call& call) {
  const auto& r = call.req.container_export();
  VHSM_RETURN_IF_ERROR(CheckName(r.name()));
  VHSM_RETURN_IF_ERROR(env.store->GetContainer(r.name()).status());
  auto* out = call.resp->mutable_container_export();
  // The cursor is "USER/KEY" (resume after KEY inside USER) or
  // "USER#HANDLE" (USER's keys are done: resume after object HANDLE).
  std::string user, after;
  if (!r.cursor().empty()) {
    size_t cut = r.cursor().find_first_of("/#");
    if (cut == std::string::npos) return InvalidArgument("invalid export cursor");
    user = r.cursor().substr(0, cut);
    after = r.cursor().substr(cut + 1);
    bool objects = r.cursor()[cut] == '#';
    char* end = nullptr;
    uint64_t handle = objects ? std::strtoull(after.c_str(), &end, 10) : 0;
    if (objects && (after.empty() || *end != '\0')) return InvalidArgument("invalid export cursor");
    VHSM_ASSIGN_OR_RETURN(bool done, objects ? ExportObjects(env, r.name(), user, handle, out)
                                             : ExportUser(env, r.name(), user, after, true, out));
    if (!done) return Status::Ok();
  }
  while (true) {
    VHSM_ASSIGN_OR_RETURN(std::vector<std::string> users,
                          env.store->ListUsers(r.name(), user, kKeysPerQuery));
    for (const std::string& u : users) {
      VHSM_ASSIGN_OR_RETURN(bool done, ExportUser(env, r.name(), u, "", false, out));
      if (!done) return Status::Ok();
    }
    if (users.size() < kKeysPerQuery) return Status::Ok();
    user = users.back();
  }
}

// ---- import -----------------------------------------------------------------------

namespace {

Status Stage(const proto::ExportRecord& rec, storage::ContainerImage* image) {
  if (rec.has_user()) {
    const auto& u = rec.user();
    if (!storage::ValidUserName(u.name()) || u.iterations() == 0 || u.salt().empty() ||
        u.wrapped_master_key().empty()) {
      return InvalidArgument("malformed user record '" + u.name() + "'");
    }
    storage::UserRecord out;
    out.name = u.name();
    out.salt.assign(u.salt().begin(), u.salt().end());
    out.iterations = u.iterations();
    out.wrapped_master_key.assign(u.wrapped_master_key().begin(), u.wrapped_master_key().end());
    out.role = u.role().empty() ? "user" : u.role();
    out.created_unix = u.created_unix();
    out.share_public.assign(u.share_public().begin(), u.share_public().end());
    out.share_private.assign(u.share_private().begin(), u.share_private().end());
    out.max_keys = static_cast<int64_t>(std::min<uint64_t>(u.max_keys(), 100000000));
    image->users.push_back(std::move(out));
  } else if (rec.has_key()) {
    const auto& k = rec.key();
    if (!storage::ValidUserName(k.user()) || !storage::ValidKeyId(k.key_id()) ||
        !ParseKeyTypeName(k.type()) || k.blob().size() > kMaxBlob || k.min_version() == 0 ||
        k.min_version() > k.latest_version() || !storage::ValidKeyLabel(k.label())) {
      return InvalidArgument("malformed key record '" + k.key_id() + "'");
    }
    storage::KeyRecord out;
    out.user = k.user();
    out.key_id = k.key_id();
    out.type = k.type();
    out.allowed_ops = k.allowed_ops();
    out.created_unix = k.created_unix();
    out.blob.assign(k.blob().begin(), k.blob().end());
    out.label = k.label();
    out.flags = k.flags();
    out.latest_version = k.latest_version();
    out.min_version = k.min_version();
    image->keys.push_back(std::move(out));
  } else if (rec.has_version()) {
    const auto& v = rec.version();
    if (!storage::ValidUserName(v.user()) || !storage::ValidKeyId(v.key_id()) || v.version() < 2 ||
        v.blob().empty() || v.blob().size() > kMaxBlob) {
      return InvalidArgument("malformed key version record");
    }
    storage::KeyVersionRow out;
    out.user = v.user();
    out.key_id = v.key_id();
    out.version.version = v.version();
    out.version.created_unix = v.created_unix();
    out.version.blob.assign(v.blob().begin(), v.blob().end());
    image->versions.push_back(std::move(out));
  } else if (rec.has_grant()) {
    const auto& g = rec.grant();
    if (!storage::ValidUserName(g.owner()) || !storage::ValidUserName(g.grantee()) ||
        !storage::ValidKeyId(g.key_id()) || g.version() == 0 || g.ops() == 0 || g.blob().empty() ||
        g.blob().size() > kMaxBlob) {
      return InvalidArgument("malformed grant record");
    }
    image->grants.push_back(storage::GrantRecord{"", g.owner(), g.key_id(), g.version(),
                                                 g.grantee(), g.ops(),
                                                 storage::Blob(g.blob().begin(), g.blob().end())});
  } else if (rec.has_object()) {
    const auto& o = rec.object();
    if (!storage::ValidUserName(o.user()) || o.handle() == 0 || o.value().empty() ||
        o.value().size() > storage::kMaxObjectValue || o.mac().size() != 32 ||
        (o.cls() != proto::OBJECT_CERTIFICATE && o.cls() != proto::OBJECT_DATA)) {
      return InvalidArgument("malformed object record");
    }
    storage::ObjectRecord out;
    out.user = o.user();
    out.handle = o.handle();
    out.cls = static_cast<uint32_t>(o.cls());
    out.id.assign(o.id().begin(), o.id().end());
    out.label = o.label();
    out.is_private = o.is_private();
    out.application = o.application();
    out.oid.assign(o.oid().begin(), o.oid().end());
    out.created_unix = o.created_unix();
    out.value.assign(o.value().begin(), o.value().end());
    out.mac.assign(o.mac().begin(), o.mac().end());
    // The digest is recomputed; the MAC (checked at each use under the
    // user's master key) covers it.
    VHSM_ASSIGN_OR_RETURN(out.digest, crypto::ComputeDigest(crypto::DigestAlg::kSha256, out.value));
    image->objects.push_back(std::move(out));
  } else {
    return InvalidArgument("empty export record");
  }
  return Status::Ok();
}

}  // namespace

Status ContainerImport(Env& env, Call& call) {
  const auto& r = call.req.container_import();
  VHSM_RETURN_IF_ERROR(CheckName(r.name()));
  Session& s = *call.session;
  if (s.import_staging == nullptr || s.import_staging->image.container.name != r.name()) {
    // Into a container that is new here, or known but empty (the host's
    // own on a fresh vhsmd, one attached ahead of its import).
    if (env.store->GetContainer(r.name()).ok()) {
      VHSM_ASSIGN_OR_RETURN(std::vector<std::string> users, env.store->ListUsers(r.name(), "", 1));
      if (!users.empty()) {
        return AlreadyExists("container '" + r.name() + "' exists on this host with users");
      }
    }
    s.import_staging = std::make_unique<ImportStaging>();
    s.import_staging->image.container.name = r.name();
    s.import_staging->image.container.created_unix = env.now_ms / 1000;
  }
  ImportStaging& st = *s.import_staging;
  st.bytes += r.ByteSizeLong();
  Status staged = st.bytes > kMaxImportBytes ? ResourceExhausted("the import is larger than 64 MiB")
                                             : Status::Ok();
  for (int i = 0; staged.ok() && i < r.records_size(); ++i) staged = Stage(r.records(i), &st.image);
  if (!staged.ok()) {
    s.import_staging.reset();  // all or nothing
    return staged;
  }
  if (!r.commit()) return Status::Ok();
  std::unique_ptr<ImportStaging> done = std::move(s.import_staging);
  VHSM_RETURN_IF_ERROR(env.store->ImportContainer(done->image));
  call.resp->mutable_container_import()->set_users(static_cast<uint32_t>(done->image.users.size()));
  call.resp->mutable_container_import()->set_keys(static_cast<uint32_t>(done->image.keys.size()));
  call.resp->mutable_container_import()->set_objects(
      static_cast<uint32_t>(done->image.objects.size()));
  return Status::Ok();
}

}  // namespace vhsm::server::ops
