package dev.mlflowknative.routes.access;

import java.util.Set;

/**
 * What a token may do. Each role includes the ones before it: read (list, get, predict), deploy (+ deploy, create,
 * update, render), admin (+ delete, promote, rollback, prune).
 */
public enum Role {
    read(Set.of("list", "get", "predict")),
    deploy(Set.of("deploy", "create", "update", "render")),
    admin(Set.of("delete", "promote", "rollback", "prune"));

    private final Set<String> own;

    Role(Set<String> own) {
        this.own = own;
    }

    public boolean allows(String operation) {
        for (Role role : values()) {
            if (role.own.contains(operation)) {
                return role.ordinal() <= ordinal();
            }
        }
        return false;
    }

    /** The role of a name, case-insensitively; a clear error otherwise. */
    public static Role of(String name) {
        for (Role role : values()) {
            if (role.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return role;
            }
        }
        throw new IllegalArgumentException("Unknown role '" + name + "': use read, deploy or admin");
    }
}
