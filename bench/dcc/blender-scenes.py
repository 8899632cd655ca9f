# Writes the .blend files of one version of the DCC corpus (bench/dcc/corpus.ts): Blender runs this
# once per version, like an artist's session: open the previous save, edit, save again. Every save
# is a real Blender write (uncompressed .blend, pointers are this process's memory addresses).
#
#   blender -b --factory-startup --python blender-scenes.py -- PLAN.json
#
# PLAN.json: {"seed": 7, "version": 3, "scale": 1.0, "jobs": [
#   {"scene": "env_forest", "src": "/.../2/scenes/env_forest.blend" | null, "dst": "/.../3/scenes/env_forest.blend",
#    "edit": "build" | "session" | "small"}]}
#   build    create the scene from scratch (version 0)
#   session  a working session: several random edits (move/add/delete objects, modifiers, materials,
#            renames, sculpt-like mesh edits, keyframes, sometimes repainting the packed image)
#   small    a quick touch-up: move a few objects, tweak a material, rename one thing
#
# Randomness comes from random.Random seeded by (seed, version, scene): the same plan gives the
# same edits. Blender itself is not byte-deterministic (pointer values, timestamps), which is the
# point: that is what a re-save looks like.
import array
import json
import math
import random
import sys

import bmesh
import bpy
from mathutils import Matrix, Vector, noise

plan = json.load(open(sys.argv[sys.argv.index('--') + 1]))
SCALE = float(plan.get('scale', 1.0))


def rng_for(scene, version):
    return random.Random(f"{plan['seed']}/{scene}/{version}")


def res(n):
    """Mesh resolution scaled so that data size grows ~linearly with SCALE."""
    return max(4, int(round(n * math.sqrt(SCALE))))


# ---- building blocks ---------------------------------------------------------------------------

def new_object(name, mesh, coll, loc=(0, 0, 0)):
    ob = bpy.data.objects.new(name, mesh)
    ob.location = loc
    coll.objects.link(ob)
    return ob


def mesh_from_bmesh(name, build):
    bm = bmesh.new()
    build(bm)
    me = bpy.data.meshes.new(name)
    bm.to_mesh(me)
    bm.free()
    return me


def add_uvs(me):
    uv = me.uv_layers.new(name='UVMap')
    coords = array.array('f', [0.0]) * (len(me.loops) * 2)
    verts = me.vertices
    for i, lp in enumerate(me.loops):
        co = verts[lp.vertex_index].co
        coords[2 * i] = co.x * 0.05
        coords[2 * i + 1] = co.y * 0.05
    uv.data.foreach_set('uv', coords)


def displace(me, amount, freq, offset, center=None, radius=None):
    """Noise displacement along z (terrain, rocks); with center/radius only inside that region (a sculpt stroke)."""
    for v in me.vertices:
        if center is not None and (v.co.xy - center).length > radius:
            continue
        falloff = 1.0 if center is None else 1.0 - (v.co.xy - center).length / radius
        v.co.z += amount * falloff * noise.noise(v.co * freq + offset)
    me.update()


def material(name, r, with_image=None):
    mat = bpy.data.materials.new(name)
    mat.use_nodes = True
    nt = mat.node_tree
    bsdf = nt.nodes['Principled BSDF']
    bsdf.inputs['Base Color'].default_value = (r.random(), r.random(), r.random(), 1.0)
    bsdf.inputs['Roughness'].default_value = r.random()
    tex = nt.nodes.new('ShaderNodeTexNoise')
    tex.inputs['Scale'].default_value = r.uniform(1, 20)
    ramp = nt.nodes.new('ShaderNodeValToRGB')
    nt.links.new(tex.outputs['Fac'], ramp.inputs['Fac'])
    nt.links.new(ramp.outputs['Color'], bsdf.inputs['Base Color'])
    bump = nt.nodes.new('ShaderNodeBump')
    nt.links.new(tex.outputs['Fac'], bump.inputs['Height'])
    nt.links.new(bump.outputs['Normal'], bsdf.inputs['Normal'])
    if with_image is not None:
        node = nt.nodes.new('ShaderNodeTexImage')
        node.image = with_image
        nt.links.new(node.outputs['Color'], bsdf.inputs['Emission'])
    return mat


def paint_image(img, r, full):
    """Fills (full) or repaints one rectangle of a generated image, then (re)packs it as PNG."""
    w, h = img.size
    px = array.array('f', [0.0]) * (w * h * 4)
    img.pixels.foreach_get(px)
    if full:
        x0, y0, x1, y1 = 0, 0, w, h
    else:
        x0, y0 = r.randrange(w // 2), r.randrange(h // 2)
        x1, y1 = x0 + r.randrange(16, w // 3), y0 + r.randrange(16, h // 3)
    c = (r.random(), r.random(), r.random())
    for y in range(y0, min(y1, h)):
        base = y * w * 4
        for x in range(x0, min(x1, w)):
            n = 0.5 + 0.5 * noise.noise(Vector((x * 0.02, y * 0.02, c[0] * 10)))
            o = base + x * 4
            px[o] = c[0] * n + r.random() * 0.15
            px[o + 1] = c[1] * n
            px[o + 2] = c[2] * (1 - n)
            px[o + 3] = 1.0
    img.pixels.foreach_set(px)
    img.update()
    img.pack()


# ---- scenes ------------------------------------------------------------------------------------

def build_env_forest(r):
    """The big scene (~20 MB): a displaced terrain, unique rocks, instanced trees, materials, a painted image."""
    coll = bpy.context.scene.collection
    n = res(290)
    terrain = mesh_from_bmesh('Terrain', lambda bm: bmesh.ops.create_grid(bm, x_segments=n, y_segments=n, size=100))
    displace(terrain, 6.0, 0.03, Vector((r.random(), r.random(), 0)) * 10)
    add_uvs(terrain)
    paint = bpy.data.images.new('GroundPaint', res(1024), res(1024))
    paint_image(paint, r, True)
    t = new_object('Terrain', terrain, coll)
    t.data.materials.append(material('Ground', r, paint))
    mats = [material(f'Bark.{i:03d}', r) for i in range(8)] + [material(f'Leaves.{i:03d}', r) for i in range(8)]
    trees = []
    for i in range(4):
        def trunk_and_crown(bm):
            bmesh.ops.create_cone(bm, cap_ends=True, segments=res(48), radius1=1.5, radius2=0.2, depth=8)
            bmesh.ops.create_icosphere(bm, subdivisions=4, radius=3, matrix=Matrix.Translation((0, 0, 6)))
        me = mesh_from_bmesh(f'TreeMesh.{i}', trunk_and_crown)
        me.materials.append(mats[i])
        me.materials.append(mats[8 + i])
        trees.append(me)
    for i in range(res(320)):
        ob = new_object(f'Tree.{i:03d}', r.choice(trees), coll, (r.uniform(-95, 95), r.uniform(-95, 95), 0))
        ob.rotation_euler.z = r.uniform(0, 6.28)
        ob.scale = [r.uniform(0.7, 1.3)] * 3
    for i in range(res(70)):
        me = mesh_from_bmesh(f'RockMesh.{i:03d}', lambda bm: bmesh.ops.create_icosphere(bm, subdivisions=4, radius=r.uniform(0.5, 2)))
        displace(me, 0.4, 1.5, Vector((r.random(), r.random(), r.random())) * 10)
        me.materials.append(r.choice(mats))
        new_object(f'Rock.{i:03d}', me, coll, (r.uniform(-95, 95), r.uniform(-95, 95), 0))
    cam = bpy.data.objects.new('Camera', bpy.data.cameras.new('Camera'))
    coll.objects.link(cam)
    cam.location = (0, -120, 40)
    sun = bpy.data.objects.new('Sun', bpy.data.lights.new('Sun', 'SUN'))
    coll.objects.link(sun)


def build_char_fox(r):
    """A character (~8 MB): a dense body mesh with vertex groups and shape keys, an animated rig of empties."""
    coll = bpy.context.scene.collection
    me = mesh_from_bmesh('FoxBody', lambda bm: bmesh.ops.create_uvsphere(bm, u_segments=res(190), v_segments=res(120), radius=1))
    displace(me, 0.15, 3.0, Vector((1, 2, 3)))
    add_uvs(me)
    body = new_object('Fox', me, coll)
    body.data.materials.append(material('Fur', r))
    nv = len(me.vertices)
    for g in range(6):
        vg = body.vertex_groups.new(name=f'DEF-spine.{g:02d}')
        vg.add([i for i in range(nv) if (i * 7 + g) % 6 < 2], r.uniform(0.2, 1.0), 'REPLACE')
    body.shape_key_add(name='Basis')
    for name in ('Smile', 'Blink'):
        sk = body.shape_key_add(name=name)
        for i in range(0, nv, 3):
            sk.data[i].co.z += 0.02
    for i in range(40):
        e = bpy.data.objects.new(f'CTRL-bone.{i:02d}', None)
        coll.objects.link(e)
        e.location = (r.uniform(-1, 1), r.uniform(-1, 1), r.uniform(0, 2))
        for f in range(1, 121, 8):
            e.location.z += r.uniform(-0.1, 0.1)
            e.keyframe_insert('location', frame=f)
            e.keyframe_insert('rotation_euler', frame=f)


def build_prop_cart(r):
    """A prop (~5 MB): mid-resolution parts with bevel/array/mirror modifiers and a small painted label."""
    coll = bpy.context.scene.collection
    label = bpy.data.images.new('Label', res(512), res(512))
    paint_image(label, r, True)
    mats = [material(f'Wood.{i}', r, label if i == 0 else None) for i in range(4)]
    for i in range(res(24)):
        me = mesh_from_bmesh(f'Part.{i:02d}', lambda bm: bmesh.ops.create_uvsphere(bm, u_segments=res(64), v_segments=res(40), radius=r.uniform(0.2, 1)))
        me.materials.append(r.choice(mats))
        ob = new_object(f'Part.{i:02d}', me, coll, (r.uniform(-3, 3), r.uniform(-2, 2), r.uniform(0, 2)))
        kind = i % 3
        if kind == 0:
            m = ob.modifiers.new('Bevel', 'BEVEL')
            m.width = r.uniform(0.01, 0.1)
        elif kind == 1:
            m = ob.modifiers.new('Array', 'ARRAY')
            m.count = r.randrange(2, 8)
        else:
            ob.modifiers.new('Mirror', 'MIRROR')


BUILD = {'env_forest': build_env_forest, 'char_fox': build_char_fox, 'prop_cart': build_prop_cart}


# ---- edits -------------------------------------------------------------------------------------

def mesh_objects():
    return [o for o in bpy.data.objects if o.type == 'MESH']


def edit_move(r):
    for ob in r.sample(list(bpy.data.objects), min(len(bpy.data.objects), r.randrange(1, 12))):
        ob.location.x += r.uniform(-1, 1)
        ob.location.y += r.uniform(-1, 1)
        ob.rotation_euler.z += r.uniform(-0.5, 0.5)


def edit_add(r):
    coll = bpy.context.scene.collection
    for _ in range(r.randrange(1, 4)):
        name = f'Added.{r.randrange(10**6):06d}'
        me = mesh_from_bmesh(name, lambda bm: bmesh.ops.create_icosphere(bm, subdivisions=r.randrange(2, 5), radius=r.uniform(0.3, 2)))
        if bpy.data.materials:
            me.materials.append(r.choice(list(bpy.data.materials)))
        ob = new_object(name, me, coll, (r.uniform(-50, 50), r.uniform(-50, 50), 0))
        if r.random() < 0.5:
            ob.modifiers.new('Subsurf', 'SUBSURF').levels = r.randrange(1, 3)


def edit_delete(r):
    obs = [o for o in mesh_objects() if o.name not in ('Terrain', 'Fox')]
    for ob in r.sample(obs, min(len(obs), r.randrange(1, 3))):
        bpy.data.objects.remove(ob, do_unlink=True)


def edit_rename(r):
    ob = r.choice(list(bpy.data.objects))
    if ob.name not in ('Terrain', 'Fox'):
        ob.name = f'{ob.name.split(".")[0]}_{r.choice(["hero", "bg", "fix", "v2", "final"])}.{r.randrange(1000):03d}'


def edit_modifier(r):
    ob = r.choice(mesh_objects())
    if ob.modifiers and r.random() < 0.6:
        m = r.choice(list(ob.modifiers))
        if m.type == 'ARRAY':
            m.count = r.randrange(2, 8)
        elif m.type == 'BEVEL':
            m.width = r.uniform(0.01, 0.1)
        elif m.type == 'SUBSURF':
            m.levels = r.randrange(0, 3)
        else:
            ob.modifiers.remove(m)
    else:
        ob.modifiers.new('Bevel', 'BEVEL').segments = r.randrange(1, 4)


def edit_material(r):
    mats = list(bpy.data.materials)
    if mats and r.random() < 0.7:
        bsdf = r.choice(mats).node_tree.nodes.get('Principled BSDF')
        if bsdf:
            bsdf.inputs['Roughness'].default_value = r.random()
            bsdf.inputs['Metallic'].default_value = r.random()
    else:
        m = material(f'Look.{r.randrange(1000):03d}', r)
        ob = r.choice(mesh_objects())
        if ob.data.users == 1:
            ob.data.materials.append(m)


def edit_sculpt(r):
    """A sculpt stroke on the biggest mesh: moves vertices in one region (mesh data changes in place)."""
    ob = max(mesh_objects(), key=lambda o: len(o.data.vertices))
    me = ob.data
    v = me.vertices[r.randrange(len(me.vertices))].co
    displace(me, r.uniform(-1, 1), 0.5, Vector((r.random(), 0, 0)), v.xy.copy(), r.uniform(0.05, 0.3) * max(ob.dimensions.x / ob.scale.x, 1e-3))


def edit_keys(r):
    animated = [o for o in bpy.data.objects if o.animation_data and o.animation_data.action]
    for ob in r.sample(animated, min(len(animated), r.randrange(1, 6))):
        ob.location.z += r.uniform(-0.2, 0.2)
        ob.keyframe_insert('location', frame=r.randrange(1, 121))


def edit_paint(r):
    imgs = [i for i in bpy.data.images if i.packed_file]
    if imgs:
        paint_image(r.choice(imgs), r, False)


SESSION_EDITS = [(edit_move, 4), (edit_add, 2), (edit_delete, 1), (edit_rename, 1), (edit_modifier, 2),
                 (edit_material, 2), (edit_sculpt, 2), (edit_keys, 2), (edit_paint, 0.4)]


def session(r):
    fns = [f for f, _ in SESSION_EDITS]
    weights = [w for _, w in SESSION_EDITS]
    for fn in r.choices(fns, weights, k=r.randrange(2, 7)):
        fn(r)


def small(r):
    obs = [o for o in bpy.data.objects if o.name not in ('Terrain', 'Fox')]
    for ob in r.sample(obs, min(3, len(obs))):
        ob.location.x += r.uniform(-0.5, 0.5)
    mats = list(bpy.data.materials)
    if mats:
        bsdf = r.choice(mats).node_tree.nodes.get('Principled BSDF')
        if bsdf:
            bsdf.inputs['Roughness'].default_value = r.random()
    ob = r.choice(obs)
    ob.name = f'{ob.name.split(".")[0]}_tweak.{r.randrange(1000):03d}'


# ---- main --------------------------------------------------------------------------------------

for job in plan['jobs']:
    r = rng_for(job['scene'], plan['version'])
    if job['edit'] == 'build':
        bpy.ops.wm.read_factory_settings(use_empty=True)
        BUILD[job['scene']](r)
    else:
        bpy.ops.wm.open_mainfile(filepath=job['src'], load_ui=False)
        (small if job['edit'] == 'small' else session)(r)
    bpy.ops.wm.save_as_mainfile(filepath=job['dst'], compress=False)
    print(f"BACKLOT-DCC saved {job['dst']}", flush=True)
